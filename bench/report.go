package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

func rateStr(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", f)
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f %%", 100*a/b)
}

func printBenchResults(w io.Writer, o Options, rep *benchReport) {
	if len(rep.results) > 0 {
		fmt.Fprintln(w, "\nmsgs/s: first customer message reaching Telegram -> last copy reaching the Slack desk; recorded/s: -> Telegram told the last one is committed.")
		fmt.Fprintln(w, "latency (ms): each message from the Telegram emulator receiving it to the Slack emulator receiving its desk copy.")
		fmt.Fprintln(w, "raw/s: the same rows (message, ref, delivery, full-text entry), 100 messages per transaction in one multi-row INSERT per table, on the scenario's database after it.")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "scenario\tmsgs\tmsgs/s\trecorded/s\tp50\tp90\tp99\tmax\tCPU s/1k\tpeak RSS MB\traw/s\tmsgs/raw\trecorded/raw\t")
		for _, r := range rep.results {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.0f\t%s\t%s\t%s\t", r.name, r.msgs, rateStr(r.rate), rateStr(r.recorded),
				ms(r.lat[0]), ms(r.lat[1]), ms(r.lat[2]), ms(r.lat[3]), r.cpuPer1k, float64(r.rss)/(1<<20), rateStr(r.raw), ratio(r.rate, r.raw), ratio(r.recorded, r.raw))
			var notes []string
			if r.missing > 0 {
				notes = append(notes, fmt.Sprintf("%d missing", r.missing))
			}
			if r.disorder > 0 {
				notes = append(notes, fmt.Sprintf("%d out of order", r.disorder))
			}
			if r.dups > 0 {
				notes = append(notes, fmt.Sprintf("%d duplicates", r.dups))
			}
			if r.err != nil {
				notes = append(notes, "error: "+r.err.Error())
			}
			fmt.Fprintln(tw, " "+strings.Join(notes, "; "))
		}
		tw.Flush()
		printReplicas(w, rep)
	}
	if len(rep.replies) > 0 {
		fmt.Fprintln(w, "\nreplies: Alice answers every customer from the Slack desk; limits and pacing on. used = the time the published limits require ÷ the time taken.")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "platform\treplies\ttook s\tmsgs/s\tlimits allow s\tused\t429s\tviolations\t binding limit")
		for _, r := range rep.replies {
			fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.1f\t%.2f\t%.0f %%\t%d\t%d\t %s\n", r.platform, r.replies, r.took.Seconds(), r.rate, r.ideal.Seconds(),
				100*r.fraction(), r.limited, r.violated, r.limit)
		}
		tw.Flush()
	}
	printTargets(w, rep)
}

// printReplicas says, for each run with several replicas, how its rate
// compares with one replica's in this run and what each replica did.
func printReplicas(w io.Writer, rep *benchReport) {
	for i, r := range rep.results {
		if len(r.replicas) < 2 {
			continue
		}
		fmt.Fprintf(w, "\n%s:", r.name)
		// Compared with the one-replica run of the scenario just before.
		base, _, _ := strings.Cut(r.name, ", ")
		var one result
		for _, prev := range rep.results[:i] {
			if prev.name == base {
				one = prev
			}
		}
		if one.rate > 0 {
			fmt.Fprintf(w, " %s of one replica's msgs/s, %s of its recorded/s;", ratio(r.rate, one.rate), ratio(r.recorded, one.recorded))
		}
		total := 0
		for _, s := range r.replicas {
			total += s.delivered
		}
		fmt.Fprintln(w, " deliveries (desk cards and copies) per replica:")
		recorded := 0
		for _, s := range r.replicas {
			recorded += s.recorded
		}
		for i, s := range r.replicas {
			var what []string
			if len(s.holds) > 0 {
				what = append(what, "holds "+strings.Join(s.holds, ", "))
			}
			if len(s.receives) > 0 {
				what = append(what, "receives "+strings.Join(s.receives, ", ")+" pushes")
			}
			if len(what) == 0 {
				what = append(what, "no connection")
			}
			pushes := ""
			if s.pushes >= 0 {
				pushes = fmt.Sprintf(" (%d webhook pushes answered 2xx through the balancer)", s.pushes)
			}
			fmt.Fprintf(w, "  replica %d (%s): %d deliveries, %s; recorded %d customer messages, %s%s; CPU %.2f s\n", i+1, strings.Join(what, "; "),
				s.delivered, ratio(float64(s.delivered), float64(total)), s.recorded, ratio(float64(s.recorded), float64(recorded)), pushes, s.cpu.Seconds())
		}
	}
}

// printTargets checks issue #10's targets against this run's figures.
func printTargets(w io.Writer, rep *benchReport) {
	fmt.Fprintln(w, "\ntargets (2 cores):")
	check := func(ok bool, format string, args ...any) {
		mark := "MISSED"
		if ok {
			mark = "met   "
		}
		fmt.Fprintf(w, "  %s  %s\n", mark, fmt.Sprintf(format, args...))
	}
	burst, haveBurst := rep.find("burst")
	if haveBurst {
		check(burst.rate >= 5000 && burst.missing == 0, "burst ≥ 5,000 msgs/s: %.0f", burst.rate)
		if burst.raw > 0 {
			check(burst.rate >= burst.raw/2, "pipeline ≥ 50 %% of raw batched inserts: end to end %s, recorded %s", ratio(burst.rate, burst.raw), ratio(burst.recorded, burst.raw))
		}
	}
	if p, ok := rep.find("paced 200/s"); ok {
		check(p.lat[2] <= 3*time.Millisecond && p.missing == 0, "paced 200/s p99 ≤ 3 ms: %s ms", ms(p.lat[2]))
	}
	if p, ok := rep.find("paced 1000/s"); ok {
		check(p.lat[2] <= 10*time.Millisecond && p.missing == 0, "paced 1,000/s p99 ≤ 10 ms: %s ms", ms(p.lat[2]))
	}
	if s, ok := rep.find("slow platform"); ok {
		check(s.rate >= 400 && s.disorder == 0 && s.missing == 0, "slow platform ≥ 400 msgs/s, order kept: %.0f msgs/s, %d reordered", s.rate, s.disorder)
	}
	for _, r := range rep.replies {
		check(r.fraction() >= 0.95 && r.limited == 0, "replies %s ≥ 95 %% of the limit, zero 429s: %.0f %%, %d 429s", r.platform, 100*r.fraction(), r.limited)
	}
	if l, ok := rep.find("large store"); ok {
		if haveBurst && burst.rate > 0 {
			check(l.rate >= 0.9*burst.rate && l.lat[2] <= burst.lat[2]*11/10, "large store within 10 %% of empty: throughput %s, p99 %s of the empty store's",
				ratio(l.rate, burst.rate), ratio(float64(l.lat[2]), float64(burst.lat[2])))
		}
		check(l.rss > 0 && l.rss <= 100<<20, "large store peak RSS ≤ 100 MB: %.0f MB", float64(l.rss)/(1<<20))
	}
}
