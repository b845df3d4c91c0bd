Bej
locationext.binj
offset0j
length4p