# Latency CDF: one curve per backend on one model.
# Data: one block per backend (blocks separated by two blank lines);
# columns: latency (@UNIT@), fraction of samples at or below it.
set title @TITLE@ noenhanced
set xlabel 'latency (@UNIT@, log scale)'
set ylabel 'fraction of samples at or below'
set logscale x
@XAXIS@
set yrange [0:1.02]
set grid xtics ytics
set key bottom right noenhanced
plot @PLOT@
