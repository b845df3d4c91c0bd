# Teacher forcing: the logits' largest absolute difference from the
# baseline at every step (log scale; an exact step sits at the floor),
# one line per backend; circles mark the steps whose greedy tokens differ;
# the gate's limit dashed when the run was judged; range and ticks from the report.
# Data: one block per backend; columns: step, L-inf, L-inf where tokens differ ('?' elsewhere).
set title @TITLE@ noenhanced
set xlabel 'step (teacher-forced)'
set ylabel 'logits L∞ vs baseline (log scale)'
set logscale y
@YAXIS@
set datafile missing '?'
set grid xtics ytics
set key below noenhanced
plot @PLOT@
