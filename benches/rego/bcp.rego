# H-BCP-001 (policies/bcp.rhai)
package policies.bcp

import data.kaiji

id := "H-BCP-001"

fails contains "56" if not kaiji.is_yes("56")

warns contains "57.4" if not kaiji.is_yes("57.4")

default status := "pass"

status := "fail" if count(fails) > 0
