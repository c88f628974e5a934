package relay

import "testing"

func TestVisible(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "hello, world\n\ttab", "hello, world\n\ttab"},
		{"right-to-left override", "refund \u202Egnp.exe", "refund [U+202E]gnp.exe"},
		{"every embedding and override", "\u202Aa\u202Bb\u202Cc\u202Dd\u202E", "[U+202A]a[U+202B]b[U+202C]c[U+202D]d[U+202E]"},
		{"isolates", "\u2066x\u2067y\u2068z\u2069", "[U+2066]x[U+2067]y[U+2068]z[U+2069]"},
		{"marks kept for right-to-left writing", "שלום\u200F! \u200Eabc \u061Cعربي", "שלום\u200F! \u200Eabc \u061Cعربي"},
		{"zero-width space", "pay\u200Bpal", "pay[U+200B]pal"},
		{"zero-width joiner between Latin letters", "pay\u200Dpal", "pay[U+200D]pal"},
		{"zero-width non-joiner between Latin letters", "pay\u200Cpal", "pay[U+200C]pal"},
		{"joiner in an emoji sequence kept", "👩\u200D💻 and 👨\u200D👩\u200D👧", "👩\u200D💻 and 👨\u200D👩\u200D👧"},
		{"joiner after an emoji, before a letter", "👩\u200Dx", "👩[U+200D]x"},
		{"joiner at the end", "name\u200D", "name[U+200D]"},
		{"non-joiner in Persian kept", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"joiner in Devanagari kept", "क्\u200Dष", "क्\u200Dष"},
		{"word joiner and invisible operators", "a\u2060b\u2061c\u2062d\u2063e\u2064f", "a[U+2060]b[U+2061]c[U+2062]d[U+2063]e[U+2064]f"},
		{"byte order mark", "\uFEFFhi", "[U+FEFF]hi"},
		{"soft hyphen", "pass\u00ADword", "pass[U+00AD]word"},
		{"control characters", "a\x1bb\u0085c", "a[U+001B]b[U+0085]c"},
		{"Hangul filler name", "\u3164", "[U+3164]"},
		{"tag characters smuggling text", "hi\U000E0068\U000E0069", "hi[U+E0068][U+E0069]"},
		{"flag tag sequence kept", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F!", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F!"},
		{"unterminated flag tags marked", "🏴\U000E0067\U000E0062", "🏴[U+E0067][U+E0062]"},
		{"emoji variation selector kept", "❤\uFE0F ok", "❤\uFE0F ok"},
		{"keycap kept", "1\uFE0F\u20E3", "1\uFE0F\u20E3"},
		{"a run of variation selectors carries data", "x\uFE0F\uFE01\U000E0100", "x\uFE0F[U+FE01][U+E0100]"},
		{"a variation selector after nothing visible", "\uFE0F", "[U+FE0F]"},
		{"prepended concatenation mark kept", "\u0600١٢", "\u0600١٢"},
		{"interlinear annotation", "\uFFF9a\uFFFAb\uFFFB", "[U+FFF9]a[U+FFFA]b[U+FFFB]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := visible(tc.in); got != tc.want {
				t.Errorf("visible(%+q) = %+q, want %+q", tc.in, got, tc.want)
			}
		})
	}
}
