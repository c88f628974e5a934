package slack

import (
	"encoding/json"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"cornershop/core"
)

// rendered is what a card shows: its texts joined, and its buttons as
// "action_id=value".
type rendered struct {
	text    string
	buttons []string
}

func render(t testing.TB, blocks []slackapi.Block) rendered {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var r rendered
	var texts []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if kind, _ := x["type"].(string); kind == "mrkdwn" || kind == "plain_text" {
				texts = append(texts, x["text"].(string))
			}
			if id, ok := x["action_id"].(string); ok {
				val, _ := x["value"].(string)
				r.buttons = append(r.buttons, id+"="+val)
			}
			for _, k := range []string{"text", "elements", "fields"} {
				if e, ok := x[k]; ok {
					walk(e)
				}
			}
		}
	}
	walk(v)
	r.text = strings.Join(texts, "\n")
	return r
}

func TestIdeaBlocks(t *testing.T) {
	base := core.Idea{ID: 12, Title: "Dark mode", Body: "Easier on the eyes at night", Status: core.IdeaPlanned, AuthorName: "Dana", Votes: 3, Comments: 1}
	tests := []struct {
		name     string
		edit     func(*core.Idea)
		want     []string // substrings of the card's text
		not      []string
		buttons  []string
		fallback string
	}{
		{
			name:     "open idea",
			want:     []string{"💡 *#12 Dark mode*", "🗓️ Planned", "3 votes", "1 comment", "Easier on the eyes", "proposed by Dana", "👍 Vote (3)"},
			not:      []string{"1 comments", "Merged"},
			buttons:  []string{"cornershop:vote=12"},
			fallback: "💡 #12 Dark mode — Planned, 3 votes",
		},
		{
			name: "one vote, no comment, moderator's word",
			edit: func(i *core.Idea) {
				i.Votes, i.Comments, i.Status, i.Message = 1, 0, core.IdeaUnderReview, "We are <looking> at it"
			},
			want:    []string{"🔍 Under review", "1 vote ·", "0 comments", "*From the team:* We are &lt;looking&gt; at it", "👍 Vote (1)"},
			buttons: []string{"cornershop:vote=12"},
		},
		{
			name: "customer markup is inert",
			edit: func(i *core.Idea) {
				i.Title, i.Body, i.AuthorName = "<!channel> free & <@U1>", "<!here> <https://x.example|click>", "<!everyone>"
			},
			want:     []string{"&lt;!channel&gt; free &amp; &lt;@U1&gt;", "&lt;!here&gt; &lt;https://x.example|click&gt;", "proposed by &lt;!everyone&gt;"},
			not:      []string{"<!channel>", "<!here>", "<!everyone>", "<@U1>", "<https://"},
			buttons:  []string{"cornershop:vote=12"},
			fallback: "💡 #12 &lt;!channel&gt; free &amp; &lt;@U1&gt; — Planned, 3 votes",
		},
		{
			name:     "hidden",
			edit:     func(i *core.Idea) { i.Hidden, i.HideReason = true, "spam" },
			want:     []string{"This idea was hidden by a moderator."},
			not:      []string{"Dark mode", "spam", "Vote"},
			fallback: "This idea was hidden by a moderator.",
		},
		{
			name:    "merged",
			edit:    func(i *core.Idea) { i.MergedInto, i.Status = 7, core.IdeaDuplicate },
			want:    []string{"Merged into *#7* — vote there", "🔁 Duplicate"},
			buttons: []string{"cornershop:vote=12"},
		},
		{
			name:    "long body is cut",
			edit:    func(i *core.Idea) { i.Body = strings.Repeat("a", 1000) },
			want:    []string{strings.Repeat("a", cardBody-1) + "…"},
			not:     []string{strings.Repeat("a", cardBody+1)},
			buttons: []string{"cornershop:vote=12"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := base
			if tc.edit != nil {
				tc.edit(&i)
			}
			blocks, fallback := ideaBlocks(i)
			r := render(t, blocks)
			for _, w := range tc.want {
				if !strings.Contains(r.text, w) {
					t.Errorf("card lacks %q:\n%s", w, r.text)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(r.text, n) || strings.Contains(fallback, n) {
					t.Errorf("card shows %q:\n%s\nfallback %q", n, r.text, fallback)
				}
			}
			if strings.Join(r.buttons, " ") != strings.Join(tc.buttons, " ") {
				t.Errorf("buttons = %v, want %v", r.buttons, tc.buttons)
			}
			if tc.fallback != "" && fallback != tc.fallback {
				t.Errorf("fallback = %q, want %q", fallback, tc.fallback)
			}
		})
	}
}

func TestSlashAction(t *testing.T) {
	tests := []struct {
		in   string
		name string
		args []string
	}{
		{"Idea Dark mode — at night", "idea", []string{"Dark", "mode", "—", "at", "night"}},
		{"ideas planned", "ideas", []string{"planned"}},
		{"  vote   12 ", "vote", []string{"12"}},
		{"", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			name, args := slashAction(tc.in)
			if name != tc.name || strings.Join(args, "|") != strings.Join(tc.args, "|") {
				t.Errorf("slashAction(%q) = %q %q, want %q %q", tc.in, name, args, tc.name, tc.args)
			}
		})
	}
}
