# Throughput against connections: one line per target. Placeholders filled by report_charts.c.
{{terminal}}
set output {{output}}
load {{style}}
set title {{title}}
set xlabel 'connections'
set ylabel {{ylabel}}
set logscale x 2
{{scale}}
set key outside bottom center horizontal
set format y '%.0s%c'
plot {{plot}}
