# Effort against speed: one point per target, lines of application code (x) against successful
# requests per CPU-second (y), both log scale. Placeholders filled by report_tradeoffs.c (the
# {{scale}} line sets the log axes); the data file holds "x y name" per target.
{{terminal}}
set output {{output}}
load {{style}}
set title {{title}}
set xlabel 'lines of application code (logic + templates, cloc)'
set ylabel {{ylabel}}
{{scale}}
set grid xtics ytics lc rgb '#888888' lw 0.5 dt 3
set format x '%.0s%c'
set format y '%.0s%c'
set offsets graph 0.1, graph 0.25, graph 0.2, graph 0.2
set key off
plot {{plot}}
