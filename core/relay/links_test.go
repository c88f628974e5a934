package relay_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"cornershop/core"
)

func TestCustomerLinksAccountsByCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.customer("hi from telegram")
	e.drain()
	tgConv := e.conversation()
	res, err := e.svc.Act(ctx, core.ActionEvent{Place: customerDM, Sender: core.Sender{UserID: "u1", Name: "Carla"}, Name: "link"})
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\d{6}`).FindString(res.Text)
	if code == "" {
		t.Fatalf("/link answered %q, want a six-digit code", res.Text)
	}
	slackDM := core.Place{Platform: core.Slack, Chat: "D-CARLA"}
	e.handle(core.MessageEvent{Place: slackDM, ID: "s1", Sender: core.Sender{UserID: "U-CARLA", Name: "carla.s"}, Text: "hi from slack"})
	res, err = e.svc.Act(ctx, core.ActionEvent{Place: slackDM, Sender: core.Sender{UserID: "U-CARLA"}, Name: "link", Args: []string{code}})
	if err != nil || !strings.HasPrefix(res.Text, "Linked") {
		t.Fatalf("/link %s = %q, %v", code, res.Text, err)
	}
	e.inTx(func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Slack, "U-CARLA")
		if err != nil {
			return err
		}
		if c.ID != tgConv.ContactID || len(c.Identities) != 2 {
			t.Errorf("slack identity belongs to %+v, want contact %d with both accounts", c, tgConv.ContactID)
		}
		return nil
	})
	res, _ = e.svc.Act(ctx, core.ActionEvent{Place: slackDM, Sender: core.Sender{UserID: "U-CARLA"}, Name: "link", Args: []string{code}})
	if !strings.Contains(res.Text, "unknown or expired") {
		t.Errorf("reusing the code answered %q", res.Text)
	}
}

func TestStaffLinkAndUnlink(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	var other core.Contact
	e.inTx(func(tx core.Tx) error {
		other = core.Contact{Name: "Carla (Discord)", Identities: []core.Identity{{Platform: core.Discord, UserID: "d1"}}}
		return tx.CreateContact(&other)
	})
	owner := func() core.ContactID {
		var id core.ContactID
		e.inTx(func(tx core.Tx) error {
			c, err := tx.ContactByIdentity(core.Discord, "d1")
			id = c.ID
			return err
		})
		return id
	}
	e.staff(conv.Desk, "U-ALICE", "!link "+other.ID.String()[len("contact#"):])
	e.drain()
	if owner() != other.ID {
		t.Fatal("an agent linked contacts; linking needs a moderator")
	}
	e.staff(conv.Desk, "U-BOB", "!link "+strings.TrimPrefix(other.ID.String(), "contact"))
	e.drain()
	if got := owner(); got != conv.ContactID {
		t.Fatalf("after !link the discord identity belongs to %d, want %d", got, conv.ContactID)
	}
	e.staff(conv.Desk, "U-BOB", "!unlink "+strings.TrimPrefix(other.ID.String(), "contact#"))
	e.drain()
	if got := owner(); got != other.ID {
		t.Fatalf("after !unlink the discord identity belongs to %d, want %d", got, other.ID)
	}
}
