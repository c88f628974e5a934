package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

func TestComponents(t *testing.T) {
	var bs []core.Button
	for i := range 7 {
		bs = append(bs, core.Button{Label: fmt.Sprintf("📄 Answer %d", i), Action: "answer", Args: []string{fmt.Sprint(i)}})
	}
	bs = append(bs,
		core.Button{Label: strings.Repeat("x", 100), Action: "solved", Args: []string{"12"}},
		core.Button{Label: "too long", Action: "answer", Args: []string{strings.Repeat("9", 100)}})
	rows := components(bs)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (5 + 3)", len(rows))
	}
	first, second := rows[0].(discordgo.ActionsRow), rows[1].(discordgo.ActionsRow)
	if len(first.Components) != 5 || len(second.Components) != 3 {
		t.Fatalf("rows of %d and %d buttons", len(first.Components), len(second.Components))
	}
	b := first.Components[0].(discordgo.Button)
	if b.CustomID != "cornershop:answer:0" || b.Style != discordgo.SecondaryButton {
		t.Errorf("first button = %+v", b)
	}
	solved := second.Components[2].(discordgo.Button)
	if solved.CustomID != "cornershop:solved:12" || solved.Style != discordgo.SuccessButton || len([]rune(solved.Label)) != 80 {
		t.Errorf("solved button = %+v", solved)
	}
	if name, args, ok := parseCustomID(solved.CustomID); !ok || name != "solved" || args[0] != "12" {
		t.Errorf("parseCustomID = %s %v %v", name, args, ok)
	}
}
