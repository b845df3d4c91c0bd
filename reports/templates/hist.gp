# Latency histogram of one cell, log-spaced bins, with its p50 and p99
# (the values recorded in run.json).  The x range and its 1-2-5 ticks come
# from the report (with the markers, below).
# Data columns: bin centre, count, bin low, bin high (@UNIT@).
set title @TITLE@ noenhanced
set xlabel 'latency (@UNIT@, log scale)'
set ylabel 'samples per bin'
set logscale x
set yrange [0:*]
set style fill solid 0.6 noborder
set grid ytics
set key top right noenhanced
@MARKERS@
plot @DATA@ using 1:2:3:4:(0):2 with boxxyerror lc rgb '#4393c3' title @KEYTITLE@
