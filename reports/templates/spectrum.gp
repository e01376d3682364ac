# Latency by percentile, HdrHistogram style: x is 1/(1-p) on a log scale, so the tail
# (99%, 99.9%, 99.99%) gets as much room as the median. Placeholders filled by report_charts.c.
{{terminal}}
set output {{output}}
load {{style}}
set title {{title}}
set xlabel 'percentile'
set ylabel 'latency (ms)'
set logscale x
set logscale y
{{scale}}
# tic labels are printf formats: %% is a literal percent sign
set xtics ('0%%' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set key outside bottom center horizontal
plot {{plot}}
