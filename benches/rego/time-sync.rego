# H-TIME-001 (policies/time-sync.rhai)
package policies.time_sync

import data.kaiji

id := "H-TIME-001"

fails contains "18" if not kaiji.is_yes("18")

warns contains "18" if {
	kaiji.is_yes("18")
	not kaiji.mentions(kaiji.remarks("18"), ["ntp", "時刻同期", "時刻を同期", "時刻源", "標準時", "gps"])
}

default status := "pass"

status := "fail" if count(fails) > 0
