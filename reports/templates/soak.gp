# Soak timeline: per-window p50 and p99 (left axis) and throughput (right
# axis) against the time each window ended.
# Data columns: window end (s), p50 (@UNIT@), p99 (@UNIT@), throughput (inf/s).
set title @TITLE@ noenhanced
set xlabel 'time into the soak (s)'
set ylabel 'latency per window (@UNIT@)'
set y2label 'throughput (inferences/s)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid
set key outside bottom center horizontal noenhanced
plot @DATA@ using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb '#1b7837' title 'p50', \
     @DATA@ using 1:3 with linespoints pt 7 ps 0.5 lw 2 lc rgb '#b2182b' title 'p99', \
     @DATA@ using 1:4 axes x1y2 with lines lw 1 dt 2 lc rgb '#4393c3' title 'throughput'
