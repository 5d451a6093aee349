# H-AUTH-001 (policies/auth-two-factor.rhai)
package policies.auth_two_factor

import data.kaiji

id := "H-AUTH-001"

factors := [
	"ワンタイム", "otp", "totp", "icカード", "ic カード", "hpki", "生体", "静脈", "指紋", "顔認証",
	"証明書", "トークン", "スマートフォン", "sms", "fido", "パスキー", "認証アプリ", "多要素",
]

q := "17.1.d"

skipped if not kaiji.in_scope(q)

warns contains q if {
	kaiji.in_scope(q)
	kaiji.is_na(q)
}

fails contains q if {
	kaiji.in_scope(q)
	not kaiji.is_na(q)
	not kaiji.is_yes(q)
}

fails contains q if {
	kaiji.in_scope(q)
	kaiji.is_yes(q)
	count(kaiji.remarks(q)) == 0
}

warns contains q if {
	kaiji.in_scope(q)
	kaiji.is_yes(q)
	r := kaiji.remarks(q)
	count(r) > 0
	not kaiji.mentions(r, factors)
}

default status := "pass"

status := "fail" if {
	count(fails) > 0
} else := "skip" if {
	skipped
}
