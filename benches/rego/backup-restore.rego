# H-BAK-003 (policies/backup-restore.rhai)
package policies.backup_restore

import data.kaiji

id := "H-BAK-003"

tested := [
	"復元テスト", "復元試験", "復元訓練", "リストアテスト", "リストア訓練", "リストア試験", "復旧訓練",
	"復旧テスト", "restore test",
]

fails contains "58.3" if not kaiji.is_yes("58.3")

fails contains "100" if not kaiji.is_yes("100")

warns contains "58.3" if {
	kaiji.is_yes("58.3")
	texts := array.concat(array.concat(kaiji.remarks("58"), kaiji.remarks("58.3")), kaiji.remarks("100"))
	not kaiji.mentions(texts, tested)
}

default status := "pass"

status := "fail" if count(fails) > 0
