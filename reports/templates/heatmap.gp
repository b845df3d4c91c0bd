# Hardware matrix heat map: p50 of every machine (rows) on every
# backend/model (columns), as a multiple of the fastest machine's p50 for
# that backend and model.  `with image pixels`: each square drawn as its own
# rectangle, so the SVG is as crisp as the PNG (plain `with image` embeds a
# bitmap that browsers smooth into a gradient).
# Data: a matrix with row and column headers; colour = log2 of the
# multiple, NaN = no measurement.
set title @TITLE@ noenhanced
unset key
set tics noenhanced
set xtics rotate by 30 right scale 0
set ytics scale 0
set palette defined (0 '#1a9850', 1 '#fee08b', 2 '#fc8d59', 3 '#d73027')
set cbrange [0:@CBMAX@]
set cblabel 'p50 ÷ fastest machine (log2)'
set yrange [] reverse
set datafile missing 'NaN'
plot @DATA@ matrix rowheaders columnheaders using 1:2:3 with image pixels, \
     @DATA@ matrix rowheaders columnheaders using 1:2:($3 == $3 ? sprintf('%.2f×', 2**$3) : '') with labels font ',9'
