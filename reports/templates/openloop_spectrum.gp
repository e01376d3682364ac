# Corrected and uncorrected latency spectra of the same open-loop runs, side by side: left from
# when each request was due (queueing included: what users see), right from when it was actually
# sent (service time: what a closed-loop tool reports). x is 1/(1-p) on a log scale as in
# spectrum.gp. The plot placeholder holds the left panel's series, then the right panel's
# `set title` and `plot`. Placeholders filled by openloop_section.c.
{{terminal}}
set output {{output}}
load {{style}}
set multiplot layout 1,2 title {{title}} textcolor rgb '#888888'
set xlabel 'percentile'
set ylabel {{ylabel}}
set logscale x
set logscale y
{{scale}}
# tic labels are printf formats: %% is a literal percent sign
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set key outside bottom center horizontal
set title 'corrected: from the due time (what users see)'
plot {{plot}}
unset multiplot
