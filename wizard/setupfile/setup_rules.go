package setupfile

import (
	"strconv"
	"strings"
)

// EntityKey is the setup-file key prefix of entity i: "entities[2]".
func EntityKey(i int) string { return "entities[" + strconv.Itoa(i) + "]" }

// ValidateEntityNameAt checks the name of entity self (an index into
// s.Entities) as the setup file's check would: valid, and no other
// entity's.
func (s *Setup) ValidateEntityNameAt(v string, self int) error {
	if err := ValidateEntityName(v); err != nil {
		return err
	}
	key := EntityNameKey(v)
	for j, e := range s.Entities {
		if j != self && EntityNameKey(e.Name) == key {
			return &FieldError{Reason: ReasonDuplicateEntity, Args: map[string]string{"name": SafeArg(strings.TrimSpace(v))}}
		}
	}
	return nil
}

// InboundAddress is where forwarding must send mail: <account>-jobs@<mail domain>.
func (s *Setup) InboundAddress() string {
	if s.Platform.Account == "" {
		return ""
	}
	d := s.Platform.MailDomain
	if d == "" {
		d = DefaultMailDomain
	}
	return s.Platform.Account + "-jobs@" + d
}

// PlatformName is the platform's display name.
func (s *Setup) PlatformName() string {
	if s.Platform.Name != "" {
		return s.Platform.Name
	}
	return DefaultPlatformName
}
