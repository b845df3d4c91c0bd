# Time to first token (the prefill) against prompt length: per backend the
# TTFT p50 of each prompt length with its 95% interval where it has one.
# Data: one block per backend; columns: prompt tokens, p50 (ms), low, high.
set title @TITLE@ noenhanced
set xlabel 'prompt length (tokens)'
set ylabel 'TTFT p50 (ms)'
set yrange [0:*]
set xrange [0:*]
set offsets 0, graph 0.05, 0, 0
set grid xtics ytics
set key top left noenhanced
plot @PLOT@
