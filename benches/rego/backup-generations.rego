# H-BAK-001 (policies/backup-generations.rhai)
package policies.backup_generations

import data.kaiji

id := "H-BAK-001"

fails contains "58" if not kaiji.is_yes("58")

fails contains "58.1" if {
	kaiji.is_yes("58")
	not kaiji.is_yes("58.1")
}

warns contains "58.1" if {
	kaiji.is_yes("58")
	kaiji.is_yes("58.1")
	not kaiji.matches(array.concat(kaiji.remarks("58"), kaiji.remarks("58.1")), `\d+\s*世代|(?i)\d+\s*generations?`)
}

default status := "pass"

status := "fail" if count(fails) > 0
