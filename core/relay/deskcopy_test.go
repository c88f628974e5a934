package relay

import (
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"cornershop/core"
)

func TestCapText(t *testing.T) {
	long := strings.Repeat("word ", 2000) // 10,000 characters
	tests := []struct {
		name     string
		in       string
		limit    int
		wantHead string
		wantRest int
	}{
		{"fits", "short", 10, "short", 0},
		{"exactly the limit", "0123456789", 10, "0123456789", 0},
		{"cut at a word", "aaaa bbbb cccc", 12, "aaaa bbbb", 5},
		{"cut at a paragraph in the last third", "aaaaaaaaa\n\nbbbbbbbbbbbbbbbbbbb", 12, "aaaaaaaaa", 21},
		{"no boundary: cut at the limit", strings.Repeat("x", 20), 8, strings.Repeat("x", 8), 12},
		{"counted in characters, not bytes", strings.Repeat("é", 10), 4, "éééé", 6},
		{"100 KB", long, 4000, strings.TrimSpace(long[:4000]), 10000 - 3999},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head, rest := capText(tc.in, tc.limit)
			if head != tc.wantHead || rest != tc.wantRest {
				t.Errorf("capText(%.20q…, %d) = %.40q… (%d runes), %d; want %.40q… (%d runes), %d", tc.in, tc.limit,
					head, utf8.RuneCountInString(head), rest, tc.wantHead, utf8.RuneCountInString(tc.wantHead), tc.wantRest)
			}
			if utf8.RuneCountInString(head)+rest != utf8.RuneCountInString(tc.in) {
				t.Errorf("head and rest do not add up to the text")
			}
		})
	}
}

func TestDeskCopy(t *testing.T) {
	s := &Service{cfg: Config{CommandPrefix: "!"}}
	long := "BEGIN " + strings.Repeat("Lorem ipsum dolor sit amet. ", 4000) + "\u202EEND"
	tests := []struct {
		name      string
		op        core.Op
		in        core.Outgoing
		wantText  []string // substrings of the copy's text
		wantNot   []string
		wantFiles int
	}{
		{"short text as it is", core.OpSend, core.Outgoing{Text: "hello"}, []string{"hello"}, []string{"more characters"}, 0},
		{"disguises shown in text, name and file names", core.OpSend,
			core.Outgoing{Text: "refund \u202Egnp.exe", From: core.Identity{Name: "Bob\u200B", Handle: "\u2066bob"},
				Files: []core.File{{Attachment: core.Attachment{Name: "invoice\u202Efdp.exe"}}}},
			[]string{"refund [U+202E]gnp.exe"}, []string{"\u202E"}, 1},
		{"a long send cut, the whole attached", core.OpSend, core.Outgoing{Text: long},
			[]string{"BEGIN Lorem", "more characters: the whole message is attached as message-7.txt."}, []string{"END"}, 1},
		{"a long edit cut, pointing to the transcript", core.OpEdit, core.Outgoing{Text: long, Edited: true},
			[]string{"BEGIN Lorem", "more characters not shown here: !transcript sends the whole conversation as a file."}, []string{"END"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := s.deskCopy(tc.in, tc.op, 7)
			for _, w := range tc.wantText {
				if !strings.Contains(out.Text, w) {
					t.Errorf("copy %.80q… lacks %q", out.Text, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out.Text, w) {
					t.Errorf("copy holds %q", w)
				}
			}
			if n := utf8.RuneCountInString(out.Text); n > deskCopyLimit+200 {
				t.Errorf("copy is %d characters long", n)
			}
			if len(out.Files) != tc.wantFiles {
				t.Fatalf("%d files, want %d", len(out.Files), tc.wantFiles)
			}
			if strings.ContainsAny(out.From.Name+out.From.Handle, "\u200B\u2066") {
				t.Errorf("name %q handle %q keep invisible characters", out.From.Name, out.From.Handle)
			}
			for _, f := range out.Files {
				if strings.Contains(f.Name, "\u202E") {
					t.Errorf("file name %q keeps U+202E", f.Name)
				}
				if f.Open == nil {
					continue
				}
				rc, err := f.Open(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(rc)
				if want := visible(tc.in.Text); string(data) != want || f.Size != int64(len(want)) {
					t.Errorf("attached file holds %d bytes (size %d), want the whole text with markers (%d)", len(data), f.Size, len(want))
				}
			}
		})
	}
}
