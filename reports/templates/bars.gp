# Grouped bars: one group per scenario, one bar per target, error bars from the repetitions'
# min-max. Placeholders are filled by harness/report_charts.c
# (string placeholders arrive quoted for gnuplot).
{{terminal}}
set output {{output}}
load {{style}}
set title {{title}}
set ylabel {{ylabel}}
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 noborder
set errorbars lc rgb '#888888'
set xtics rotate by -25 noenhanced
# the legend under the plot, in one row: it never hides a bar
set key outside bottom center horizontal
{{scale}}
plot {{plot}}
