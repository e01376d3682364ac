# Shared style of every parity chart. Text, axes and grid are mid-grey on a transparent
# background, so a chart reads on a light and on a dark page alike (report.html also swaps this
# grey for the page's text colour). A target keeps the same colour in every chart: the caller
# sets each series' colour from its fixed table.
set border 3 lc rgb '#888888' lw 1
set tics nomirror textcolor rgb '#888888'
set key textcolor rgb '#888888' noenhanced noautotitle
set title textcolor rgb '#888888' noenhanced
set xlabel textcolor rgb '#888888' noenhanced
set ylabel textcolor rgb '#888888' noenhanced
set grid ytics lc rgb '#888888' lw 0.5 dt 3
set datafile missing 'NaN'
set datafile separator whitespace
