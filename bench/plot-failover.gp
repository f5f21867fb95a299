# bench/plot-failover.gp: the charts of bench/failover (gnuplot, Debian
# gnuplot-nox).  bench/failover calls it after its table:
#   gnuplot -e "dir='DATADIR'; out='RESULTS-PREFIX'" bench/plot-failover.gp
# DATADIR holds what "failover-stats.py plotdata" wrote: crash.dat,
# graceful.dat, three.dat, one line per case: "label" median min max (ms),
# three.dat with "extra/rounds" after.  It writes OUT-crash.png,
# OUT-graceful.png and OUT-three.png: medians as bars, [min..max] as
# error bars, log scales (the figures span 0.01 ms to seconds).

if (!exists("dir") || !exists("out")) {
	print "usage: gnuplot -e \"dir='DATADIR'; out='PREFIX'\" plot-failover.gp"
	exit status 2
}

set terminal pngcairo size 1100,520 font "sans,10"
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics mytics
set logscale y
set format y "%g"
set xtics rotate by -30 left nomirror
set key off
set bars 2

# one chart: file, title, y label
chart(f) = dir . "/" . f

set output out . "-crash.png"
set title "bench/failover: crash takeover lateness (takeover - ideal master-down), median and [min..max]"
set ylabel "lateness (ms, log scale)"
plot chart("crash.dat") using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0, \
     "" using 0:($4*1.25):(sprintf("%.2f", $2)) with labels font "sans,8"

set output out . "-graceful.png"
set title "bench/failover: graceful hand-over (new master's first advert - SIGTERM), median and [min..max]"
set ylabel "hand-over (ms, log scale)"
plot chart("graceful.dat") using 0:2:xtic(1) with boxes lc rgb "#228833", \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0, \
     "" using 0:($4*1.25):(sprintf("%.2f", $2)) with labels font "sans,8"

if (system("test -s '" . chart("three.dat") . "' && echo 1 || echo 0") == 1) {
	set output out . "-three.png"
	set terminal pngcairo size 800,480 font "sans,10"
	set title "bench/failover: three hosts, SIGTERM on the master: hand-over to the preferred backup\n(label: median ms; extra masters / rounds)"
	set ylabel "hand-over (ms, log scale)"
	plot chart("three.dat") using 0:2:xtic(1) with boxes lc rgb "#ee6677", \
	     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0, \
	     "" using 0:($4*1.3):(sprintf("%.2f ms, extra %s", $2, strcol(5))) with labels font "sans,8"
}
