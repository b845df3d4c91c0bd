# Memory over the run (RSS, or the device memory an adapter reports) with
# the fitted growth line (the slope recorded in run.json; the line passes
# through the mean of the fitted points).
# Data: block 0 = measured points (x, MiB); block 1 = the fitted line's
# end points over the fitted range.
set title @TITLE@ noenhanced
set xlabel @XLABEL@
set ylabel @YLABEL@
set grid
set key bottom right opaque box noenhanced
plot @DATA@ index 0 using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#4393c3' title @SERIES@@FIT@
