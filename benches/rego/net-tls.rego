# H-NET-001 (policies/net-tls.rhai)
package policies.net_tls

import data.kaiji

id := "H-NET-001"

ids := ["63", "64", "65", "90"]

texts := array.concat(array.concat(kaiji.remarks("63"), kaiji.remarks("64")), array.concat(kaiji.remarks("65"), kaiji.remarks("90")))

default anchor := "65"

anchor := cited[0] if {
	cited := [q | some q in ids; count(kaiji.remarks(q)) > 0]
	count(cited) > 0
}

text := concat("\n", texts) if count(texts) > 0

else := input.all_remarks

versions := kaiji.tls_versions(text)

# Remarks alone never pass: 65 (盗聴防止) must be answered はい.
fails contains "65" if not kaiji.is_yes("65")

# No version named, or one below TLS 1.2 (minor number 2) in use.
fails contains anchor if {
	kaiji.is_yes("65")
	count(versions) == 0
}

fails contains anchor if {
	kaiji.is_yes("65")
	min(versions) < 2
}

warns := set()

default status := "pass"

status := "fail" if count(fails) > 0
