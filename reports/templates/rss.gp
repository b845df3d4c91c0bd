# Memory growth over the run (RSS, or the device memory an adapter reports)
# since the first point, with the fitted growth line (the slope recorded in
# run.json; the line passes through the mean of the fitted points) and the
# gate's limit from the first point, when the run has one.
# Data: block 0 = measured growth (x, KiB or MiB); block 1 = the fitted
# line's end points over the fitted range; block 2 = the limit's.
set title @TITLE@ noenhanced
set xlabel @XLABEL@
set ylabel @YLABEL@
set grid
set yrange @YRANGE@
set key top left opaque box noenhanced
plot @DATA@ index 0 using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#4393c3' title @SERIES@@FIT@
