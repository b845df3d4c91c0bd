# Speedup over the baseline backend: p50(baseline) / p50(backend), with
# the 95% bootstrap interval of that ratio; 1 = as fast as the baseline.
# Data: one row per model; per backend three columns: speedup, low, high
# ('?' where the backend has no latency cell for the model).
set title @TITLE@ noenhanced
set ylabel 'speedup over @BASELINE@ (×)'
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set datafile missing '?'
set yrange [0:*]
set grid ytics
set key top right noenhanced
set xtics noenhanced
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#555555'
plot @PLOT@
