# Compressed variants of one model: file size against p50 latency, one
# colour per backend, each point labelled with its scheme and fidelity
# cosine against the fp32 original; the dashed line joins each backend's
# Pareto front (no other variant is both smaller and faster).
# Data: two blocks per backend: points (size MB, p50 ms, label), then the front.
set title @TITLE@ noenhanced
set xlabel 'model file size (MB)'
set ylabel 'p50 latency (ms)'
set yrange [0:*]
set xrange [0:*]
set offsets graph 0, graph 0.25, graph 0.1, 0
set grid xtics ytics
set key top right noenhanced
plot @PLOT@
