# Decode tokens/s per model and backend: 1 / mean inter-token latency, the
# interval 1/high .. 1/low of the mean's 95% bootstrap interval.
# Data: one row per model; per backend three columns: tokens/s, low, high
# ('?' where the backend has no generate cell for the model).
set title @TITLE@ noenhanced
set ylabel 'decode tokens/s'
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set datafile missing '?'
set yrange [0:*]
set grid ytics
set key top right noenhanced
set xtics noenhanced
plot @PLOT@
