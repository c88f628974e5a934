package relay

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cornershop/core"
)

// CSATFigures are satisfaction results: surveys sent, ratings given and
// their sum.
type CSATFigures struct {
	Sent, Rated, Sum int
}

// Average is the mean rating (0 with none).
func (f CSATFigures) Average() float64 {
	if f.Rated == 0 {
		return 0
	}
	return float64(f.Sum) / float64(f.Rated)
}

// SummarizeCSAT totals surveys for the desk and per staff member rated
// (the last to reply, else the assignee; "" for nobody).
func SummarizeCSAT(surveys []core.Survey) (CSATFigures, map[string]CSATFigures) {
	var desk CSATFigures
	by := map[string]CSATFigures{}
	for _, sv := range surveys {
		f := by[string(sv.Staff)]
		desk.Sent++
		f.Sent++
		if sv.Rating > 0 {
			desk.Rated++
			desk.Sum += sv.Rating
			f.Rated++
			f.Sum += sv.Rating
		}
		by[string(sv.Staff)] = f
	}
	return desk, by
}

// csatText renders satisfaction figures for a desk thread ("" with no
// survey sent).
func csatText(desk CSATFigures, by map[string]CSATFigures) string {
	if desk.Sent == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nCSAT: %.1f/5 over %d ratings (%d surveys sent). Per staff member (the last to reply, else the assignee):", desk.Average(), desk.Rated, desk.Sent)
	for _, who := range slices.Sorted(maps.Keys(by)) {
		f := by[who]
		fmt.Fprintf(&b, "\n• %s: %.1f/5 over %d ratings", staffLabel(core.StaffID(who)), f.Average(), f.Rated)
	}
	return b.String()
}
