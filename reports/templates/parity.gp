# Numeric parity: the largest absolute error of every output of every
# backend on one model, on a log scale (0 is drawn at the floor); the y range
# reaches the gate's limit, drawn dashed; the range and ticks come from the report.
# Data columns: x, error, x low, x high, floor, error, colour, label.
set title @TITLE@ noenhanced
set ylabel 'max |error| (log scale)'
set logscale y
set xrange [-0.6:@XMAX@]
set style fill solid 0.7 border -1
set grid ytics
set xtics noenhanced rotate by 25 right
@THRESHOLD@
plot @DATA@ using 1:2:3:4:5:6:7:xtic(8) with boxxyerror lc variable notitle
