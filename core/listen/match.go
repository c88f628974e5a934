package listen

import (
	"fmt"
	"slices"
	"strings"
)

// Rule is one listening rule: the words and phrases it looks for and the
// desk its signals go to.
type Rule struct {
	// Name identifies the rule in signals, stats and metrics; unique.
	Name string
	// Terms are words or phrases ("refund", "check out", "Crème"). A
	// term matches whole words in order, ignoring case and accents.
	Terms []string
	// Desk is the name of the desk the rule's signals go to.
	Desk string
	// Negative keeps only messages whose sentiment is negative.
	Negative bool
}

// Match is a rule a text matched and the term that matched first.
type Match struct {
	Rule Rule
	Term string
}

// Matcher matches texts against a fixed set of rules. It is immutable and
// safe for concurrent use.
type Matcher struct {
	rules []compiled
}

type compiled struct {
	rule  Rule
	terms []term
}

type term struct {
	text  string
	words []string
}

// NewMatcher compiles rules. It fails (wrapping nothing: a configuration
// error) on a rule without a name, desk or terms, a duplicate name, or a
// term with no word in it.
func NewMatcher(rules []Rule) (*Matcher, error) {
	m := &Matcher{}
	seen := map[string]bool{}
	for i, r := range rules {
		switch {
		case strings.TrimSpace(r.Name) == "":
			return nil, fmt.Errorf("listen: rule %d has no name", i+1)
		case seen[r.Name]:
			return nil, fmt.Errorf("listen: rule %q is defined twice", r.Name)
		case r.Desk == "":
			return nil, fmt.Errorf("listen: rule %q has no desk", r.Name)
		case len(r.Terms) == 0:
			return nil, fmt.Errorf("listen: rule %q has no terms", r.Name)
		}
		seen[r.Name] = true
		c := compiled{rule: r}
		for _, t := range r.Terms {
			ws := Words(t)
			if len(ws) == 0 {
				return nil, fmt.Errorf("listen: rule %q: term %q has no word in it", r.Name, t)
			}
			c.terms = append(c.terms, term{text: t, words: ws})
		}
		m.rules = append(m.rules, c)
	}
	return m, nil
}

// Rules returns the rules, in the order given (none for a nil Matcher).
func (m *Matcher) Rules() []Rule {
	if m == nil {
		return nil
	}
	out := make([]Rule, len(m.rules))
	for i, c := range m.rules {
		out[i] = c.rule
	}
	return out
}

// Match returns the rules text matches, in rule order, each with the first
// of its terms found. Sentiment is not considered (see Rule.Negative).
func (m *Matcher) Match(text string) []Match {
	if m == nil || len(m.rules) == 0 {
		return nil
	}
	words := Words(text)
	var out []Match
	for _, c := range m.rules {
		for _, t := range c.terms {
			if containsRun(words, t.words) {
				out = append(out, Match{Rule: c.rule, Term: t.text})
				break
			}
		}
	}
	return out
}

// containsRun reports whether run occurs in words as consecutive elements.
func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}
