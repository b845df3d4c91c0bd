# Dispatch: the share of node time each backend spent on its accelerated
# units (the time-weighted dispatch ratio) and on everything else.
# Data columns: label, accelerated share, other share, oracle share (1 for
# the reference adapter: it has no accelerated units by design, so its time
# is not a fallback).
set title @TITLE@ noenhanced
set ylabel 'share of node time'
set yrange [0:1.05]
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set key outside bottom center horizontal noenhanced
set xtics noenhanced rotate by 25 right
@THRESHOLD@
plot @DATA@ using 2:xtic(1) title 'accelerated units' lc rgb '#1b7837', \
     '' using 3 title 'other (fallback)' lc rgb '#d6604d', \
     '' using 4 title 'reference (the oracle)' lc rgb '#bdbdbd'
