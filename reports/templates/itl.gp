# Inter-token latency over the generation: per backend, the median decode
# step at each position over every generation (the prefill is TTFT's plot).
# Data: one block per backend; columns: position, ITL (ms), generations.
set title @TITLE@ noenhanced
set xlabel 'position in the sequence (tokens)'
set ylabel 'inter-token latency (ms)'
set yrange [0:*]
set grid xtics ytics
set key top left noenhanced
plot @PLOT@
