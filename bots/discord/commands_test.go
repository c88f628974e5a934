package discord

import (
	"slices"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestParseCustomID(t *testing.T) {
	tests := []struct {
		in   string
		name string
		args []string
		ok   bool
	}{
		{"cornershop:close", "close", []string{}, true},
		{"cornershop:vote:12", "vote", []string{"12"}, true},
		{voteID(7), "vote", []string{"7"}, true},
		{customID("reopen"), "reopen", []string{}, true},
		{"someone-else:vote:1", "", nil, false},
		{"cornershop:", "", nil, false},
	}
	for _, tc := range tests {
		name, args, ok := parseCustomID(tc.in)
		if name != tc.name || ok != tc.ok || (ok && !slices.Equal(args, tc.args)) {
			t.Errorf("parseCustomID(%q) = %q %q %v, want %q %q %v", tc.in, name, args, ok, tc.name, tc.args, tc.ok)
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in   string
		name string
		args []string
		ok   bool
	}{
		{"/idea Dark mode — easier on the eyes", "idea", []string{"Dark mode — easier on the eyes"}, true},
		{"/IDEA Dark mode\nwith a toggle", "idea", []string{"Dark mode\nwith a toggle"}, true},
		{"/idea", "idea", nil, true},
		{"/ideas planned", "ideas", []string{"planned"}, true},
		{"/ideas   in progress", "ideas", []string{"in", "progress"}, true},
		{"/vote 12", "vote", []string{"12"}, true},
		{"/link ABC123", "link", []string{"ABC123"}, true},
		{"  /help", "help", []string{}, true},
		{"hello /idea", "", nil, false},
		{"/", "", nil, false},
	}
	for _, tc := range tests {
		name, args, ok := parseCommand(tc.in)
		if name != tc.name || ok != tc.ok || len(args) != len(tc.args) || (len(args) > 0 && !slices.Equal(args, tc.args)) {
			t.Errorf("parseCommand(%q) = %q %q %v, want %q %q %v", tc.in, name, args, ok, tc.name, tc.args, tc.ok)
		}
	}
}

func TestSlashAction(t *testing.T) {
	opt := func(name string, v any) *discordgo.ApplicationCommandInteractionDataOption {
		return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Value: v}
	}
	tests := []struct {
		data discordgo.ApplicationCommandInteractionData
		name string
		args []string
		ok   bool
	}{
		{discordgo.ApplicationCommandInteractionData{Name: "vote", Options: []*discordgo.ApplicationCommandInteractionDataOption{opt("number", float64(12))}}, "vote", []string{"12"}, true},
		{discordgo.ApplicationCommandInteractionData{Name: "idea", Options: []*discordgo.ApplicationCommandInteractionDataOption{opt("text", "Dark mode — at night")}}, "idea", []string{"Dark mode — at night"}, true},
		{discordgo.ApplicationCommandInteractionData{Name: "ideas"}, "ideas", []string{}, true},
		{discordgo.ApplicationCommandInteractionData{Name: "other"}, "", nil, false},
	}
	for _, tc := range tests {
		name, args, ok := slashAction(tc.data)
		if name != tc.name || ok != tc.ok || len(args) != len(tc.args) || (len(args) > 0 && !slices.Equal(args, tc.args)) {
			t.Errorf("slashAction(%s) = %q %q %v, want %q %q %v", tc.data.Name, name, args, ok, tc.name, tc.args, tc.ok)
		}
	}
}
