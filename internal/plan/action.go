// Package plan compares a desired state with an observed one and holds the
// result: an ordered list of changes, each with its address, action, the
// objects before and after, and the attribute trees a plan is shown with. It
// does no I/O.
package plan

import "fmt"

// Action is what a change does to an object.
type Action uint8

const (
	NoOp Action = iota
	Create
	Update
	Delete
	Replace // delete, then create
)

var actionNames = [...]string{NoOp: "no-op", Create: "create", Update: "update", Delete: "delete", Replace: "replace"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", a)
}

// Symbol is the action's mark in a rendered plan.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	case Replace:
		return "-/+"
	}
	return " "
}

// PastTense describes a finished action ("created").
func (a Action) PastTense() string {
	switch a {
	case Create:
		return "created"
	case Update:
		return "updated"
	case Delete:
		return "deleted"
	case Replace:
		return "replaced"
	}
	return "unchanged"
}

// MarshalText writes the contract's action names.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads the contract's action names.
func (a *Action) UnmarshalText(b []byte) error {
	for i, n := range actionNames {
		if n == string(b) {
			*a = Action(i)
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", b)
}
