package listen

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

type labelled struct{ label, text string }

// readLabelled reads testdata/sentiment.tsv: label TAB text per line.
func readLabelled(tb testing.TB) []labelled {
	tb.Helper()
	f, err := os.Open("testdata/sentiment.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok || (label != "pos" && label != "neg" && label != "neu") {
			tb.Fatalf("bad labelled line %q", line)
		}
		out = append(out, labelled{label, text})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func short(s Sentiment) string {
	switch s.Label() {
	case "negative":
		return "neg"
	case "positive":
		return "pos"
	}
	return "neu"
}

// TestSentimentAccuracy scores the labelled set and holds the library to
// the figures measured when it was chosen (see docs/listening.md): overall
// three-way accuracy, and precision and recall of "negative", which is what
// a rule's Negative flag uses.
func TestSentimentAccuracy(t *testing.T) {
	set := readLabelled(t)
	if len(set) < 100 {
		t.Fatalf("labelled set has %d texts, want at least 100", len(set))
	}
	s := NewScorer()
	var right, negTrue, negPred, negBoth int
	for _, l := range set {
		got := short(s.Score(l.text))
		if got == l.label {
			right++
		} else {
			t.Logf("%s scored %s: %q", l.label, got, l.text)
		}
		if l.label == "neg" {
			negTrue++
		}
		if got == "neg" {
			negPred++
			if l.label == "neg" {
				negBoth++
			}
		}
	}
	acc := float64(right) / float64(len(set))
	prec := float64(negBoth) / float64(negPred)
	rec := float64(negBoth) / float64(negTrue)
	t.Logf("govader on %d texts: accuracy %.1f%%, negative precision %.1f%%, recall %.1f%%", len(set), 100*acc, 100*prec, 100*rec)
	if acc < 0.75 || prec < 0.85 || rec < 0.70 {
		t.Errorf("sentiment fell below the measured figures: accuracy %.2f (≥0.75), negative precision %.2f (≥0.85), recall %.2f (≥0.70)", acc, prec, rec)
	}
}

func TestSentimentLabel(t *testing.T) {
	tests := []struct {
		s    Sentiment
		want string
	}{{-0.9, "negative"}, {-0.05, "negative"}, {0, "neutral"}, {0.04, "neutral"}, {0.05, "positive"}, {1, "positive"}}
	for _, tt := range tests {
		if got := tt.s.Label(); got != tt.want {
			t.Errorf("Sentiment(%v).Label() = %q, want %q", float64(tt.s), got, tt.want)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	s := NewScorer()
	set := readLabelled(b)
	i := 0
	for b.Loop() {
		s.Score(set[i%len(set)].text)
		i++
	}
}
