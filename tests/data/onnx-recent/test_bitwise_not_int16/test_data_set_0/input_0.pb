BXJ
èGYmF,¦aK