# H-BAK-002 (policies/backup-isolated.rhai)
package policies.backup_isolated

import data.kaiji

id := "H-BAK-002"

isolation := [
	"オフライン", "隔離", "切り離", "切離", "イミュータブル", "immutable", "書換え不可", "書き換え不可",
	"改ざん不可", "worm", "エアギャップ", "air gap", "テープ", "遠隔地", "別リージョン",
]

fails contains "58" if kaiji.unanswered("58")

skipped if {
	kaiji.answered("58")
	not kaiji.is_yes("58")
}

fails contains "58.2" if {
	kaiji.is_yes("58")
	not kaiji.is_yes("58.2")
}

warns contains "58.2" if {
	kaiji.is_yes("58")
	kaiji.is_yes("58.2")
	not kaiji.mentions(array.concat(kaiji.remarks("58"), kaiji.remarks("58.2")), isolation)
}

default status := "pass"

status := "fail" if {
	count(fails) > 0
} else := "skip" if {
	skipped
}
