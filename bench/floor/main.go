// Command floor is the bare Go client bench/run.sh measures jobmail
// against: the same live test (connect, STARTTLS or implicit TLS with
// certificate verification, AUTH PLAIN, one message, QUIT) with nothing
// but net/smtp and crypto/tls, so its time is the floor for a Go program.
// Built once by bench/run.sh (go build -trimpath), never `go run` per run.
//
//	floor -mode starttls -host localhost -port 12587 -ca ca.crt \
//	      -user jobs@example.test -from jobs@example.test   # password: $FLOOR_PW
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"time"
)

func main() {
	mode := flag.String("mode", "starttls", "starttls | smtps")
	host := flag.String("host", "localhost", "server name (also the name the certificate must carry)")
	port := flag.Int("port", 587, "port")
	ca := flag.String("ca", "", "PEM file of the CA to trust (default: system roots)")
	user := flag.String("user", "", "AUTH PLAIN user (password from $FLOOR_PW)")
	from := flag.String("from", "", "envelope sender and recipient")
	flag.Parse()
	if err := run(*mode, *host, *port, *ca, *user, os.Getenv("FLOOR_PW"), *from); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(mode, host string, port int, caFile, user, pw, from string) error {
	cfg := &tls.Config{ServerName: host}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return errors.New("no certificate in " + caFile)
		}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	var c *smtp.Client
	switch mode {
	case "starttls":
		var err error
		if c, err = smtp.Dial(addr); err != nil {
			return err
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	case "smtps":
		conn, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			return err
		}
		if c, err = smtp.NewClient(conn, host); err != nil {
			return err
		}
	default:
		return errors.New("mode must be starttls or smtps")
	}
	defer c.Close()
	if err := c.Auth(smtp.PlainAuth("", user, pw, host)); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(from); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: <%s>\r\nTo: <%s>\r\nSubject: floor bench\r\nDate: %s\r\n\r\nfloor bench\r\n",
		from, from, time.Now().Format(time.RFC1123Z))
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
