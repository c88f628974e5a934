package listen

import "github.com/jonreiter/govader"

// NegativeBelow is the compound score under which a text counts as
// negative, VADER's own convention (-0.05); above +0.05 it is positive,
// between the two neutral.
const NegativeBelow = -0.05

// Sentiment is a text's sentiment: VADER's compound score in [-1, 1].
type Sentiment float64

// Negative reports whether s counts as negative.
func (s Sentiment) Negative() bool { return float64(s) <= NegativeBelow }

// Label names s: "negative", "neutral" or "positive".
func (s Sentiment) Label() string {
	switch {
	case s.Negative():
		return "negative"
	case float64(s) >= -NegativeBelow:
		return "positive"
	}
	return "neutral"
}

// Scorer scores English text with VADER (github.com/jonreiter/govader),
// a lexicon- and rule-based model made for short social-media text. Its
// lexicon is compiled into the binary: nothing is fetched at run time.
// Build one with NewScorer (loading the lexicon takes milliseconds) and
// share it: it is safe for concurrent use.
type Scorer struct {
	sia *govader.SentimentIntensityAnalyzer
}

// NewScorer loads the lexicon.
func NewScorer() *Scorer {
	return &Scorer{sia: govader.NewSentimentIntensityAnalyzer()}
}

// Score returns text's sentiment.
func (s *Scorer) Score(text string) Sentiment {
	return Sentiment(s.sia.PolarityScores(text).Compound)
}
