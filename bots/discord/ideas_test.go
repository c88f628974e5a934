package discord

import (
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

func TestIdeaCard(t *testing.T) {
	base := core.Idea{ID: 12, Title: "Dark mode", Body: "Easier on the eyes", Status: core.IdeaPlanned, Votes: 3, Comments: 2,
		AuthorName: "Erin", Message: "We start in May"}
	tests := []struct {
		name      string
		edit      func(*core.Idea)
		title     string
		desc      string
		fields    []string // "Name=Value"
		button    string   // "" no button
		notInCard string
	}{
		{name: "open", edit: func(*core.Idea) {}, title: "💡 #12 Dark mode", desc: "Easier on the eyes",
			fields: []string{"Status=🗓️ Planned", "Votes=3", "Comments=2", "From the team=We start in May"}, button: "👍 Vote (3)"},
		{name: "one vote no body", edit: func(i *core.Idea) { i.Votes, i.Body, i.Message, i.Status = 1, "", "", core.IdeaNew },
			title: "💡 #12 Dark mode", fields: []string{"Status=💡 New", "Votes=1", "Comments=2"}, button: "👍 Vote (1)"},
		{name: "markdown and mentions are literal", edit: func(i *core.Idea) { i.Title, i.Body = "@everyone **look**", "<@123> hi" },
			title: "💡 #12 @\u200beveryone \\*\\*look\\*\\*", desc: "<\u200b@123> hi", button: "👍 Vote (3)"},
		{name: "hidden", edit: func(i *core.Idea) { i.Hidden, i.Title = true, "rude words" },
			title: "💡 #12", desc: hiddenText, notInCard: "rude words"},
		{name: "merged", edit: func(i *core.Idea) { i.MergedInto, i.Status = 7, core.IdeaDuplicate },
			title: "💡 #12 Dark mode", desc: "Merged into #7 — vote there.", fields: []string{"Status=🔁 Duplicate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := base
			tc.edit(&i)
			e, comps := ideaCard(i)
			if e.Title != tc.title || (tc.desc != "" && e.Description != tc.desc) {
				t.Errorf("title %q desc %q, want %q %q", e.Title, e.Description, tc.title, tc.desc)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Name+"="+f.Value)
			}
			for _, f := range tc.fields {
				if !slices.Contains(got, f) {
					t.Errorf("fields %q lack %q", got, f)
				}
			}
			if tc.notInCard != "" && strings.Contains(e.Title+e.Description+strings.Join(got, " "), tc.notInCard) {
				t.Errorf("card shows %q", tc.notInCard)
			}
			if comps == nil {
				t.Fatal("components are nil: an edit would not remove the button")
			}
			if tc.button == "" {
				if len(comps) != 0 {
					t.Errorf("components = %v, want none", comps)
				}
				return
			}
			b := comps[0].(discordgo.ActionsRow).Components[0].(discordgo.Button)
			if b.Label != tc.button || b.CustomID != "cornershop:vote:12" {
				t.Errorf("button %q %q, want %q cornershop:vote:12", b.Label, b.CustomID, tc.button)
			}
		})
	}
}

func TestIdeaTags(t *testing.T) {
	byName := map[string]string{"new": "t-new", "under review": "t-review", "planned": "t-planned", "in progress": "t-prog",
		"done": "t-done", "bug": "t-bug", "ui": "t-ui"}
	tests := []struct {
		name    string
		applied []string
		status  core.IdeaStatus
		want    []string
	}{
		{"first tag", nil, core.IdeaNew, []string{"t-new"}},
		{"status replaced, others kept", []string{"t-bug", "t-new", "t-ui"}, core.IdeaPlanned, []string{"t-bug", "t-ui", "t-planned"}},
		{"two-word label", []string{"t-planned"}, core.IdeaUnderReview, []string{"t-review"}},
		{"no tag for the status: the old status tag goes", []string{"t-done", "t-bug"}, core.IdeaDeclined, []string{"t-bug"}},
		{"unchanged", []string{"t-ui", "t-prog"}, core.IdeaInProgress, []string{"t-ui", "t-prog"}},
		{"unchanged, status first", []string{"t-prog", "t-ui"}, core.IdeaInProgress, []string{"t-prog", "t-ui"}},
		{"at most five", []string{"a", "b", "c", "d", "e"}, core.IdeaDone, []string{"a", "b", "c", "d", "t-done"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ideaTags(tc.applied, byName, tc.status); !slices.Equal(got, tc.want) {
				t.Errorf("ideaTags = %v, want %v", got, tc.want)
			}
		})
	}
	if id, ok := statusTag(map[string]string{"under_review": "x"}, core.IdeaUnderReview); !ok || id != "x" {
		t.Errorf("statusTag by name = %q %v", id, ok)
	}
}
