package discordfake

import (
	"reflect"
	"testing"
)

func TestMaskedLinks(t *testing.T) {
	tests := []struct {
		content string
		want    []MaskedLink
	}{
		{"[Your invoice](https://evil.example)", []MaskedLink{{"Your invoice", "https://evil.example"}}},
		{"see [a](http://x.example/p?q=1) and [b](https://y.example)", []MaskedLink{{"a", "http://x.example/p?q=1"}, {"b", "https://y.example"}}},
		{`\[Your invoice](https://evil.example)`, nil},
		{`\[Your invoice\](https://evil.example)`, nil},
		{"[no link] (https://x.example)", nil},
		{"[not a url](javascript:alert(1))", nil},
		{"`[code](https://x.example)`", nil},
		{"https://bare.example", nil},
	}
	for _, tc := range tests {
		if got := MaskedLinks(tc.content); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("MaskedLinks(%q) = %v, want %v", tc.content, got, tc.want)
		}
	}
}
