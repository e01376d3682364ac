# Latency against offered load (open loop): p99 (solid) and p50 (dashed) of each target at each
# arrival rate, latency measured from when each request was due; the SLO as a grey dotted line;
# a ring marks a rate that was not ok. Log-log: rates span a decade or more, latencies several.
# Placeholders filled by openloop_section.c.
{{terminal}}
set output {{output}}
load {{style}}
set title {{title}}
set xlabel 'offered load (requests/s)'
set ylabel {{ylabel}}
set logscale x
set logscale y
set format x '%.0s%c'
{{scale}}
set key outside bottom center horizontal
plot {{plot}}
