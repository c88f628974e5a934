package config_test

import (
	"strings"
	"testing"
)

func TestListeningProblems(t *testing.T) {
	yaml := `
desks:
  - name: main
    platform: slack
    channel: CDESK
listening:
  window: 0s
  places:
    - platform: slack
      channel: CDESK
    - platform: irc
      channel: "#x"
    - platform: discord
      channel: "111"
    - platform: discord
      channel: "111"
  rules:
    - name: checkout
      terms: [checkout, "!!"]
      desk: main
    - name: checkout
      terms: []
      desk: nowhere
`
	_, err := parse(t, yaml, nil)
	got := strings.Join(problems(t, err), "\n")
	for _, want := range []string{
		`listening.window: must be positive`,
		`listening.places[0].channel: "CDESK" is a desk, ideas board or customer place; a listening place needs a channel of its own`,
		`listening.places[1].platform`,
		`listening.places[3].channel: "111" is listed twice`,
		`listening.rules[0].terms[1]: "!!" has no word in it`,
		`listening.rules[1].name: "checkout" names two rules`,
		`listening.rules[1].desk: "nowhere" names no desk`,
		`listening.rules[1].terms: at least one word or phrase`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

func TestListeningFromEnv(t *testing.T) {
	yaml := `
desks:
  - name: main
    platform: slack
    channel: CDESK
listening:
  places:
    - platform: discord
      channel: "111"
      name: "#general"
  rules:
    - name: refund
      terms: [refund, money back]
      desk: main
`
	c, err := parse(t, yaml, map[string]string{"CORNERSHOP_LISTENING_RULES_0_NEGATIVE_ONLY": "true", "CORNERSHOP_LISTENING_WINDOW": "10m",
		"CORNERSHOP_SLACK_ENABLED": "true", "CORNERSHOP_SLACK_BOT_TOKEN": "xoxb-1", "CORNERSHOP_SLACK_APP_TOKEN": "xapp-1"})
	if err != nil {
		t.Fatal(err)
	}
	l := c.Listening
	if l.Window.String() != "10m0s" || len(l.Places) != 1 || l.Places[0].Name != "#general" || len(l.Rules) != 1 ||
		!l.Rules[0].NegativeOnly || strings.Join(l.Rules[0].Terms, ",") != "refund,money back" {
		t.Errorf("listening = %+v", l)
	}
}
