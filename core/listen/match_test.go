package listen

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Crème Brûlée", "creme brulee"},
		{"CAFÉ", "cafe"},
		{"Straße", "strasse"},
		{"naïve Zoë", "naive zoe"},
		{"Ångström", "angstrom"},
		{"plain", "plain"},
		{"ÇA VA", "ca va"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	rules := []Rule{
		{Name: "cart", Terms: []string{"cart"}, Desk: "support"},
		{Name: "checkout", Terms: []string{"check out", "checkout"}, Desk: "support"},
		{Name: "brand", Terms: []string{"Crème Café"}, Desk: "marketing"},
		{Name: "refund", Terms: []string{"refund", "money back"}, Desk: "billing", Negative: true},
		{Name: "rival", Terms: []string{"MegaMart"}, Desk: "marketing"},
	}
	m, err := NewMatcher(rules)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text string
		want []string // rule names, in rule order
	}{
		{"word", "my cart is empty", []string{"cart"}},
		{"not inside a longer word", "I love this cartoon", nil},
		{"not a prefix", "carts", nil},
		{"not a suffix", "go-kart or minecart", nil},
		{"case-insensitive", "My CART vanished", []string{"cart"}},
		{"punctuation around", "(cart)! cart? 'cart'", []string{"cart"}},
		{"possessive splits", "the cart's total", []string{"cart"}},
		{"phrase", "I can't check out today", []string{"checkout"}},
		{"phrase across punctuation", "check-out is broken", []string{"checkout"}},
		{"phrase across extra spaces", "check   \n out", []string{"checkout"}},
		{"phrase words must be consecutive", "check the stock, then out", nil},
		{"phrase words in order", "out check", nil},
		{"phrase not partial word", "checking out", nil},
		{"second term", "the checkout page", []string{"checkout"}},
		{"accent-insensitive text", "la creme cafe est top", []string{"brand"}},
		{"accent-insensitive term", "CRÈME CAFÉ!!", []string{"brand"}},
		{"accents on both", "Crème café", []string{"brand"}},
		{"several rules", "MegaMart gave my money back, my cart too", []string{"cart", "refund", "rival"}},
		{"brand inside word", "megamartian", nil},
		{"digits count as word", "cart2 cart", []string{"cart"}},
		{"digits glued", "cart2", nil},
		{"empty", "", nil},
		{"only punctuation", "!!! ???", nil},
		{"emoji separates", "🛒cart🛒", []string{"cart"}},
		{"other script stays", "корзина cart", []string{"cart"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, mt := range m.Match(tt.text) {
				got = append(got, mt.Rule.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Match(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestMatchTerm(t *testing.T) {
	m, err := NewMatcher([]Rule{{Name: "r", Terms: []string{"refund", "money back"}, Desk: "d"}})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Match("I want my MONEY back")
	if len(got) != 1 || got[0].Term != "money back" {
		t.Fatalf("Match = %+v, want the term \"money back\"", got)
	}
}

func TestNewMatcherRejects(t *testing.T) {
	tests := []struct {
		name  string
		rules []Rule
	}{
		{"no name", []Rule{{Terms: []string{"a"}, Desk: "d"}}},
		{"no desk", []Rule{{Name: "r", Terms: []string{"a"}}}},
		{"no terms", []Rule{{Name: "r", Desk: "d"}}},
		{"wordless term", []Rule{{Name: "r", Terms: []string{"!!"}, Desk: "d"}}},
		{"duplicate", []Rule{{Name: "r", Terms: []string{"a"}, Desk: "d"}, {Name: "r", Terms: []string{"b"}, Desk: "d"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewMatcher(tt.rules); err == nil {
				t.Errorf("NewMatcher(%+v) accepted", tt.rules)
			}
		})
	}
}

func TestNilMatcherMatchesNothing(t *testing.T) {
	var m *Matcher
	if got := m.Match("anything"); got != nil {
		t.Fatalf("nil matcher matched %v", got)
	}
	if got := m.Rules(); got != nil {
		t.Fatalf("nil matcher has rules %v", got)
	}
}

func BenchmarkMatch(b *testing.B) {
	m, err := NewMatcher([]Rule{
		{Name: "a", Terms: []string{"refund", "money back", "chargeback"}, Desk: "d"},
		{Name: "b", Terms: []string{"check out", "checkout", "cart"}, Desk: "d"},
		{Name: "c", Terms: []string{"Crème Café", "MegaMart"}, Desk: "d"},
	})
	if err != nil {
		b.Fatal(err)
	}
	text := "Honestly the new checkout at Crème Café is great but I still want my money back for last week's order"
	for b.Loop() {
		m.Match(text)
	}
}
