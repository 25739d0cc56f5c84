# ruff: noqa: E501 - Japanese prose: Markdown paragraphs stay on one line, and full-width punctuation and katakana are intended
"""The demo report's facts and text, as plain data.

Titles, names, affiliations, dates and links are facts about KubeCon +
CloudNativeCon North America 2022 and are kept exactly as billed. Every
sentence of Japanese text is written for this demo.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from blog.enums import SectionStatus

# --- People and places --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountData:
    username: str
    password: str
    role: str  # "writer", "editor" or "admin"
    display_name: str = ""
    team: str = ""


@dataclass(frozen=True)
class PhotoData:
    picture: str  # a key of `demo.pictures.PICTURES`
    alt_text: str
    caption: str
    credit_text: str = ""
    credit_url: str = ""


@dataclass(frozen=True)
class SectionData:
    author: str  # username
    body: str
    session: str = ""  # the session title; empty for a section with a heading
    heading: str = ""
    photos: tuple[PhotoData, ...] = field(default_factory=tuple)


SCHEDULE_URL = "https://kccncna2022.sched.com/"

TEAM_PLATFORM = "SRE部 ECプラットフォーム基盤SREブロック"
TEAM_SERVICES = "SRE部 ECプラットフォームサービスSREブロック"
TEAM_MEASUREMENT = "計測システム部 SREブロック"
TEAM_BRAND = "ブランドソリューション開発本部 SREブロック"

ADMIN_PASSWORD = "kubecon-admin"
EDITOR_PASSWORD = "kubecon-editor"
WRITER_PASSWORD = "kubecon-writer"

ACCOUNTS: tuple[AccountData, ...] = (
    AccountData("admin", ADMIN_PASSWORD, "admin"),
    AccountData("editor", EDITOR_PASSWORD, "editor", "編集 花子", "技術広報"),
    AccountData("sato", WRITER_PASSWORD, "writer", "佐藤 健", TEAM_PLATFORM),
    AccountData("suzuki", WRITER_PASSWORD, "writer", "鈴木 彩", TEAM_PLATFORM),
    AccountData("takahashi", WRITER_PASSWORD, "writer", "高橋 翔", TEAM_SERVICES),
    AccountData("tanaka", WRITER_PASSWORD, "writer", "田中 美咲", TEAM_MEASUREMENT),
    AccountData("ito", WRITER_PASSWORD, "writer", "伊藤 大輔", TEAM_BRAND),
    AccountData("watanabe", WRITER_PASSWORD, "writer", "渡辺 陽菜", TEAM_BRAND),
    AccountData("yamamoto", WRITER_PASSWORD, "writer", "山本 拓也", TEAM_MEASUREMENT),
)

ROLE_GROUPS = {"writer": "Writers", "editor": "Editors", "admin": None}

# --- The event and its sessions -------------------------------------------------------------------

EVENT = {
    "slug": "kubecon-na-2022",
    "name": "KubeCon + CloudNativeCon North America 2022",
    "short_name": "KubeCon NA 2022",
    "city": "Detroit, Michigan, USA",
    "venue": "Huntington Place",
    "starts_on": datetime.date(2022, 10, 24),
    "ends_on": datetime.date(2022, 10, 28),
    "website": "",
    "time_zone": "America/Detroit",
    "description": (
        "2022年10月24日から28日までの5日間、米国ミシガン州デトロイトの Huntington Place で"
        "開かれたクラウドネイティブ技術のカンファレンスです。米国での現地開催は3年ぶりで、"
        "会場とオンラインを組み合わせたハイブリッド形式で行われました。"
        "前半2日間は Envoy や Knative、eBPF などをテーマにした co-located イベント、"
        "後半3日間はキーノートと本編のセッションという構成でした。"
    ),
}

ISTIO = "Istio Today and Tomorrow: Sidecars and Beyond"
KYVERNO = "Cloud Governance With Infrastructure As Code (IaC) With Kyverno And Crossplane"
FEATURES = (
    "“Why Can’t Kubernetes Devs Just Add This New Feature? Seems So Easy!” - "
    "Understanding the Feature Lifecycle In Kubernetes"
)
FALCO = "Security In the Cloud With Falco: Overview And Project Updates"
HA_CONTROL_PLANE = "Migrating From Single-Node Kubernetes Control Plane To HA In Production"
LOGS = "When the Logs Just Don’t Cut It: Root-Causing Incidents Without Re-Deploying Prod"
WASM = "Cloud-Native WebAssembly: Containerization On the Edge"

# The event's schedule: the sessions above, with their speakers, times and rooms, and
# others of the conference. `load_demo` imports it as an editor would upload it.
SCHEDULE_FILE = Path(__file__).resolve().parent / "schedule" / "kubecon-na-2022.ics"
COVERED_SESSIONS = (ISTIO, KYVERNO, FEATURES, FALCO, HA_CONTROL_PLANE, LOGS, WASM)

# --- The report ------------------------------------------------------------------------------------

TAGS = ("KubeCon", "Kubernetes", "SRE", "eBPF", "カンファレンス")

REPORT = {
    "slug": "kubecon-na-2022",
    "title": "KubeCon + CloudNativeCon North America 2022 参加レポート",
    "published_at": datetime.datetime(2022, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
    "editor": "editor",
    "lead": """\
こんにちは、計測システム部 SREブロックの山本です。

2022年10月24日から28日にかけて、米国デトロイトで開催された KubeCon + CloudNativeCon North America 2022 に参加してきました。今回現地に足を運んだのは、当社のマイクロサービス基盤と計測システムを運用しているチームのエンジニア7名です。実は7人とも、KubeCon に参加するのは今回が初めてでした。

この記事では、まずイベント全体の雰囲気をお伝えし、続いてメンバーそれぞれが印象に残ったセッションを紹介します。最後に番外編として、会場やデトロイトの街で撮った写真も載せていますので、あわせてお楽しみください。
""",
    "closing": """\
冒頭でも触れたとおり、今回参加した7人は全員が KubeCon 初参加でした。ふだんはドキュメントやリリースノート越しに追いかけている技術について、それを作っている本人たちの話を会場で直接聞けたことは、何よりの収穫だったと思います。セッションの合間に廊下で交わされる会話の熱量にも、大いに刺激を受けました。

どのセッションを聴いていても感じたのは、OSS は使う人だけでなく、手を動かして支えるコントリビューターがいてはじめて前に進む、ということです。Feature Lifecycle のセッションでも話があったように、貢献の形はコードに限りません。Issue での議論への参加やドキュメントの改善、実際に使ってみた結果のフィードバックなど、私たちにできることから少しずつ始めていきます。

私たちは、マイクロサービス基盤や計測システムを一緒に支えてくれる SRE の仲間を募集しています。Kubernetes やクラウドネイティブな技術に興味のある方は、ぜひ[採用ページ](https://example.com/careers)をご覧ください。
""",
}

# --- Sections ----------------------------------------------------------------------------------------
# Sub-headings are written `##`, as the editor's hint says: the page places a text's highest
# heading right below the section's title, whatever level the title itself has.


def _credit(speakers: str) -> dict:
    return {"credit_text": f"出典: {speakers} の講演資料", "credit_url": SCHEDULE_URL}


OVERVIEW = SectionData(
    author="yamamoto",
    heading="イベント概要",
    body="""\
KubeCon + CloudNativeCon North America 2022 は、2022年10月24日から28日までの5日間、米国ミシガン州デトロイトの Huntington Place で開催されました。米国で KubeCon が現地開催されるのは3年ぶりです。新型コロナウイルスの流行以降では、2022年5月の KubeCon EU に続いて2回目のハイブリッド開催となり、会場に来られない人もオンラインで参加できました。

## 開催の形式

- 前半の2日間は co-located イベントの日で、Envoy や Knative、eBPF など、クラウドネイティブ周辺のテーマごとのイベントが同じ会場で開かれていました
- 後半の3日間がキーノートと本編のセッションです
- セッションはカテゴリ別に分かれていて、「Reliability + Operational Continuity」のように、私たち SRE にとって身近な運用寄りのカテゴリもありました
- 会期の前半には Lightning Talk のブロックがあり、co-located イベントとして WASMCon も開かれていました

## 会場の様子

会場内では、食事中を除いてマスクの着用が必須でした。面白かったのがバッジとステッカーの仕組みで、バッジに貼るステッカーによって「話しかけて大丈夫」「握手は控えたい」といった自分のスタンスを周りに示せるようになっていました。久しぶりの対面開催で、人との距離感は人それぞれ。それを気軽に伝えられる工夫は、とても良いアイデアだと感じました。
""",
    photos=(
        PhotoData(
            "badges",
            alt_text=(
                "KubeCon の参加者バッジ2枚と、会話や挨拶の可否を示す色分けされた"
                "丸いステッカー、六角形のステッカーを並べた写真"
            ),
            caption="バッジに貼るステッカーで、会話や握手をしてよいかを周りに伝えられます",
            credit_text="撮影: 山本 拓也",
        ),
    ),
)

ISTIO_SECTION = SectionData(
    author="sato",
    session=ISTIO,
    body="""\
ECプラットフォーム基盤SREブロックの佐藤です。私たちのチームはマイクロサービス基盤で Istio を運用しているので、サービスメッシュのこれからを知りたくてこのセッションを選びました。

## サイドカー方式の悩み

Istio のデータプレーンは、これまで各 Pod にサイドカーとしてプロキシを差し込む構成が基本でした。講演では、この方式の課題として次のような点が挙げられていました。

- Istio をアップグレードするたびに、サイドカーを入れ替えるためアプリケーションの再起動が必要になる
- アプリケーションとサイドカーの起動・停止の順序に気を配らなければならない
- どのサイドカーも mTLS から L7 のポリシーまで一式を抱えるので、L7 の機能が要らないワークロードではリソースが無駄になる

アップグレードのたびに全サービスの再起動を段取りしている身としては、特に一つ目には深く頷くしかありませんでした。

## Ambient Mesh

こうした課題への答えとして紹介されたのが、2022年9月に公開された、サイドカーを使わないデータプレーン「Istio Ambient Mesh」です。Ambient ではデータプレーンを、通信を安全にするセキュアオーバーレイ層と、L7 の処理を担う層の2つに分け、ワークロードごとに必要な層だけを選べます。既存のサイドカー方式のワークロードとも共存できるので、少しずつ移行していけるのも嬉しい点です。

ただし、2022年11月時点では本番環境での利用はまだ推奨されておらず、2023年中の本番対応を目指しているとのことでした。

会場では Lin Sun さんと Christian Posta さんの書籍『Istio Ambient Explained』が配られていて、私も1冊いただいてきました。本番投入はもう少し先になりそうですが、サイドカーの再起動から解放される日を楽しみに、まずは検証環境で触ってみるつもりです。
""",
    photos=(
        PhotoData(
            "istio-sidecar",
            alt_text=(
                "コントロールプレーンの下に3つの Pod が並び、各 Pod の中でアプリケーションと"
                "サイドカープロキシが対になっている構成図"
            ),
            caption="サイドカー方式では、すべての Pod がプロキシを一式抱えることになる",
            **_credit("Lin Sun, Mitch Connors"),
        ),
        PhotoData(
            "istio-ambient",
            alt_text=(
                "アプリケーションだけの Pod の下にセキュアオーバーレイ層、上に L7 処理層があり、"
                "横にサイドカー方式の Pod が共存している構成図"
            ),
            caption="Ambient Mesh はデータプレーンを2つの層に分け、必要な層だけを使う",
            **_credit("Lin Sun, Mitch Connors"),
        ),
    ),
)

KYVERNO_SECTION = SectionData(
    author="suzuki",
    session=KYVERNO,
    body="""\
ECプラットフォーム基盤SREブロックの鈴木です。クラウドリソースの管理とガバナンスを Kubernetes の仕組みに寄せる、という話に惹かれてこのセッションを聴きました。

## Crossplane

Crossplane は、Kubernetes を拡張してクラウドネイティブなコントロールプレーンを作るためのプロジェクトです。AWS や GCP、Azure のリソース（たとえば EC2 や S3）を YAML のマニフェストとして宣言しておくと、reconciliation によって常に宣言どおりの状態に保たれます。マニフェストを Git で管理すれば、アプリケーションと同じように GitOps の流れに乗せられるのも魅力です。

## Kyverno

Kyverno は Kubernetes 向けのポリシーエンジンで、ポリシー自体も YAML の Kubernetes リソースとして書けます。専用の言語を覚えなくてよいのは、チームに導入するうえで大きな利点です。主にできることは次の3つです。

- **validate**: ルールに合わないリソースを拒否する
- **mutate**: リソースの内容を書き換える
- **generate**: 関連するリソースを自動で作る

これらは Admission Control の段階だけでなく、バックグラウンドスキャンでも評価されます。

## 2つを組み合わせると

講演の要は、Kyverno で Crossplane のマニフェストそのものに制約をかけられる点でした。たとえば「開発環境では `t2.medium` のような小さなインスタンスタイプしか作れない」「一定より古いバージョンの RDS は作らせない」といったルールを、リソースが作られる前に強制できます。コストやセキュリティの決まりごとを、レビューでの目視ではなく仕組みで守れるのは心強いです。

私たちのチームでは、今は CloudFormation でインフラを管理していますが、移行するかどうかを検討しているところです。Kubernetes の運用で培った知識をクラウドリソースの管理にもそのまま活かせるのは大きいので、影響の小さいところから試してみたいと思います。
""",
)

FEATURES_SECTION = SectionData(
    author="takahashi",
    session=FEATURES,
    body="""\
ECプラットフォームサービスSREブロックの高橋です。「この機能、どうしてまだ入らないんだろう？」と思ったことのある Kubernetes ユーザーは多いはずです。このセッションは、機能が提案されてから GA になるまで、あるいは却下されたり差し戻されたりするまでの間に何が起きているのかを解説するものでした。

## 提案から GA まで

新しい機能は、まず担当する SIG で議論され、KEP（Kubernetes Enhancement Proposal）としてまとめられます。そのうえで alpha、beta、GA という段階を、それぞれの関門を通りながら一つずつ進んでいきます。KEP の仕組みは [KEP の README](https://github.com/kubernetes/enhancements/blob/master/keps/README.md) にまとまっています。

## すべての提案が答えるべき問い

講演では、どの機能も次の問いに答えなければならないと紹介されていました。

- **Is it a wide problem, or a niche one?** — 多くのユーザーが困っている問題か、一部の使い方に限られた問題か
- **Does it raise a security concern?** — セキュリティ上の懸念はないか
- **Does it raise a performance concern?** — 性能に悪い影響はないか
- **Is it a breaking change?** — 互換性を壊さないか（GA の機能に破壊的変更は許されない）
- **Has it been discussed before, and what was decided?** — 過去に議論されたことがあるか、そのときの結論は何だったか

## 例: kubectl の出力に色を付ける

具体例として挙がったのが、kubectl の出力をカラー表示したいという [kubernetes/kubectl#524](https://github.com/kubernetes/kubectl/issues/524) です。2018年に起票され、2022年11月の時点でもまだオープンのままです。一見すぐにできそうですが、kubecolor のような回避策がすでにあること、出力に依存しているスクリプトへの影響、テーマをどう扱うか、色覚の多様性への配慮、そして誰が長くメンテナンスしていくのか、と考えるべきことが山ほどあります。ほかにも、NetworkPolicy でのポート範囲の指定、kuberc という設定ファイル、Ephemeral Containers といった例が紹介されていました。

最後は、コードに限らずあらゆる形の貢献を歓迎している、というメッセージで締めくくられました。興味のある方は [kubernetes-sigs](https://github.com/kubernetes-sigs) を覗いてみてください。私も「簡単そうなのに」と言う側から、議論に加わる側に回ってみたくなりました。
""",
    photos=(
        PhotoData(
            "feature-flow",
            alt_text=(
                "idea、SIG、KEP、alpha、beta、GA の6段階が左から右へ矢印の形で並び、"
                "alpha と beta から「却下・差し戻し」へ分岐する図"
            ),
            caption="機能が提案から GA に至るまでの流れ",
            **_credit("Ricardo Katz, Carlos Panato"),
        ),
        PhotoData(
            "feature-questions",
            alt_text="機能の提案が答えるべき5つの問いを、英語のチェックリストとして並べた図",
            caption="どの提案も、この5つの問いに答える必要がある",
            **_credit("Ricardo Katz, Carlos Panato"),
        ),
    ),
)

FALCO_SECTION = SectionData(
    author="tanaka",
    session=FALCO,
    body="""\
計測システム部 SREブロックの田中です。私たちのチームでは、kube-bench などを使った静的なチェックはすでに回していますが、実行中のコンテナで起きていることを検知する仕組みはまだありません。そこで、コンテナと Kubernetes の脅威検知ツールとして事実上の標準になっている Falco のアップデートを聴いてきました。

## gVisor への対応

2022年9月15日に、Falco 0.32.1 以降での gVisor 対応が発表されました。gVisor はコンテナをホストのカーネルから切り離すサンドボックスなので、これまでのカーネルモジュールや eBPF によるイベント収集では、その中の動きを捉えられませんでした。今回の対応によって、GKE Sandbox の環境でも Falco を使えるようになります。

## 1つの Falco で複数のイベントソース

0.33 からは、1つの Falco インスタンスで複数のイベントソースを処理できるようになりました。これまではソースごとに Falco を別々にデプロイする必要があったので、運用する立場からすると、面倒を見る対象が減るのはありがたい変更です。

## 新しい eBPF プローブ

新しい eBPF の機能を活かしたプローブの開発も進んでいます。対応しているシステムコールはまだ80ほどですが、今のプローブより安全で高速になる見込みで、いずれは置き換える予定とのことでした。

## これから

話を聴いて、次のような二段構えを目指したいと考えています。

- kube-bench などの静的チェックで、設定の不備を前もって潰す
- Falco で、実行時の不審な振る舞いを検知する

まずは検証用のクラスタに Falco を入れて、どんなアラートが上がってくるのかを眺めるところから始めます。
""",
    photos=(
        PhotoData(
            "falco-sources",
            alt_text=(
                "syscalls、gVisor、plugins の3つのイベントソースから矢印が1つの Falco に集まり、"
                "そこからアラートへ矢印が伸びる構成図"
            ),
            caption="0.33 からは1つの Falco で複数のイベントソースを扱える",
            **_credit("Jason Dellaluce, Luca Guerra"),
        ),
    ),
)

HA_SECTION = SectionData(
    author="ito",
    session=HA_CONTROL_PLANE,
    body="""\
ブランドソリューション開発本部 SREブロックの伊藤です。「Reliability + Operational Continuity」カテゴリのセッションから、Databricks がシングルノードの Kubernetes コントロールプレーンを本番環境のまま HA 構成に移行した事例を紹介します。

## なぜシングルノードだったのか

Databricks が Kubernetes を採用したのは2016年で、当時は HA 構成のコントロールプレーンはまだ一般的ではありませんでした。とはいえシングルノードのままでは、そのノードの障害がそのまま可用性に響きますし、アップグレードで問題が起きたときに切り戻すのも難しくなります。

## 移行の流れ

移行は、おおむね次の順番で進められたそうです。

1. 既存のコントロールプレーン VM のスナップショットから、複数台の VM を作る
2. 新しい VM をロードバランサーの後ろに置く
3. 新しい VM に etcd のデータをリストアし、複数ノードの etcd クラスタを組む
4. そのうえで、api-server が更新を受け付けるようにする

講演で何度も強調されていたのが、この順番が重要だという点です。手順を入れ替えてしまうと、データの整合性が崩れるなど取り返しのつかない事態になりかねません。

## 移行後の運用

HA 化したあとのコントロールプレーンの運用は自動化されていて、問題が起きたときには自動でロールバックされる仕組みになっているとのことでした。

私たちの環境にそのまま当てはまる話ではありませんが、動いているシステムの土台を入れ替えるときの段取りの組み方や、自動ロールバックを前提にした運用の考え方は、どんな移行作業にも通じるものだと感じました。
""",
    photos=(
        PhotoData(
            "ha-migration",
            alt_text=(
                "api-server と etcd を載せた1台のコントロールプレーン VM から、スナップショットで"
                "3台の VM を作り、ロードバランサーの下で etcd をクラスタにする移行の図"
            ),
            caption="シングルノードから HA 構成への移行は、手順の順番が鍵になる",
            **_credit("Cong Yue, David Oppenheimer"),
        ),
    ),
)

LOGS_SECTION = SectionData(
    author="watanabe",
    session=LOGS,
    body="""\
ブランドソリューション開発本部 SREブロックの渡辺です。障害の調査中に「ここにログさえ出ていれば……」と思った経験は、誰にでもあるのではないでしょうか。このセッションは、本番環境に再デプロイすることなく、動いている Go のアプリケーションからデータを取り出す方法を紹介するものでした。

## bpftrace と Pixie

紹介されたのは bpftrace と Pixie です。bpftrace は kprobe や uprobe にプログラムをアタッチして、関数の呼び出しをその場でトレースできるツールです。Pixie はその bpftrace を独自の言語で拡張したもので、取得した結果を可視化までしてくれます。なお、Pixie の動的ロギングが対応しているのは今のところ Go だけで、C++ や Rust への対応も考えられる、という話でした。

## 手元で試してみた

帰国してから、minikube で手元に環境を作って試してみました。題材にしたのは、ネイピア数 e の近似値を計算する `computeE` という関数を持つ小さな Go のアプリで、この関数の引数 `iterations` をログに出すことにしました。bpftrace で書くと、おおよそ次のようなイメージです。

```console
$ minikube start
$ minikube ssh
$ sudo bpftrace -e 'uprobe:/path/to/app:main.computeE { printf("iterations=%d\\n", reg("ax")); }'
```

`/path/to/app` はコンテナ内の Go バイナリのパスです。Go 1.17 以降の amd64 では、整数の最初の引数は `ax` レジスタで渡されます。アタッチしただけでは何も表示されず、別のターミナルから API を呼び出した瞬間に `iterations=...` が流れてきたときは、思わず声が出ました。

## あちこちで eBPF

今回の KubeCon では、eBPF がさまざまなセッションに顔を出していました。Falco もそうですし、満員だった「100Gbit/S Clusters With Cilium: Building Tomorrow's Networking Data Plane」でも eBPF が話の中心にありました。再デプロイなしで本番の中身をのぞける手段として、チームでも検証を進めていきたいと思います。
""",
    photos=(
        PhotoData(
            "logs-waiting",
            alt_text=(
                "ターミナルで kubectl と minikube ssh を実行した後、bpftrace で computeE に"
                "アタッチし、出力を待っている画面"
            ),
            caption="アタッチしただけでは、まだ何も表示されない",
            credit_text="撮影: 渡辺 陽菜",
        ),
        PhotoData(
            "logs-output",
            alt_text=(
                "左のペインで curl により API を4回呼び出し、右のペインに iterations の値が"
                "4行出力されているターミナルの画面"
            ),
            caption="API を呼び出すたびに、引数 iterations の値が表示された",
            credit_text="撮影: 渡辺 陽菜",
        ),
    ),
)

WASM_SECTION = SectionData(
    author="yamamoto",
    session=WASM,
    body="""\
再び計測システム部 SREブロックの山本です。最後に紹介するのは WebAssembly（Wasm）のセッションです。

実は会期前半の Lightning Talk で、WasmEdge ランタイム向けの Dapr SDK を使ってマイクロサービスのアプリを動かす発表があり、そこから Wasm がずっと気になっていました。

## Linux コンテナとの比較

セッションでは、Linux コンテナと比べながら Wasm の特徴が整理されていました。

- イメージが小さい
- 起動が速い
- ネイティブに近い速度で動く
- デフォルトで安全（secure by default）
- 言語に依存しない

Docker と Kubernetes の上で Wasm のアプリを動かすデモもあり、いま使っているコンテナの道具立てにそのまま載せられることが示されていました。

## WASMCon での発表

co-located イベントの WASMCon では、Docker の Wasm サポートがテクニカルプレビューとして発表されました。ほかのクラウドの Docker 環境でも動かせるとのことです。また、wasmCloud はすでに Wasm のプラットフォームを提供しています。

セッション全体を通して、Wasm は Linux コンテナを置き換えるものではなく、補い合うものだという位置付けでした。起動の速さやイメージの小ささが効いてくるエッジでは Wasm、それ以外では従来のコンテナ、という使い分けが現実的な選択肢になっていきそうです。私たちのシステムにも使いどころがないか考えながら、今後の動きを追いかけていきます。
""",
)

SECTIONS: tuple[SectionData, ...] = (
    OVERVIEW,
    ISTIO_SECTION,
    KYVERNO_SECTION,
    FEATURES_SECTION,
    FALCO_SECTION,
    HA_SECTION,
    LOGS_SECTION,
    WASM_SECTION,
)

# --- The gallery (番外編) ---------------------------------------------------------------------------

GALLERY: tuple[PhotoData, ...] = (
    PhotoData(
        "river",
        alt_text="夜明けのデトロイト川と、対岸に並ぶカナダ側のビル群。手前には遊歩道の柵と街灯",
        caption=(
            "会場のすぐ横を流れるデトロイト川。対岸はもうカナダです。"
            "会期中には、川沿いを歩く早朝の River Walk も開かれていました"
        ),
    ),
    PhotoData(
        "lunch",
        alt_text="ライスを添えたカレーのような煮込み料理の皿と、ツナサラダのボウル、コーヒー",
        caption=(
            "ランチは毎日メニューが変わり、どれも温かい料理でした。"
            "初日はカレーのような一品とツナサラダ"
        ),
    ),
    PhotoData(
        "keynote",
        alt_text="大きなスクリーンが3面並ぶステージと、客席を埋める参加者のシルエット",
        caption="キーノートが行われたメインホール",
    ),
    PhotoData(
        "venue",
        alt_text="ガラス張りの大きな建物 Huntington Place の外観と、その前の広場を歩く人たち",
        caption="会場の Huntington Place",
    ),
    PhotoData(
        "store",
        alt_text="CNCF ストアの棚に並ぶ色とりどりの Tシャツ、マスク、クマのぬいぐるみ",
        caption="CNCF ストアでは、Tシャツやマスク、ぬいぐるみなどが売られていました",
    ),
    PhotoData(
        "group",
        alt_text="バッジを首から下げた7人が横一列に並ぶ、シンプルな図形で描いた集合写真",
        caption="参加メンバー7人で記念撮影",
    ),
)


# --- A second report, still being written ----------------------------------------------------------
# The event's report still being written, whose sections stand in every review state, so
# that a writer and an editor can try the whole journey on the demo site straight away, and
# a writer in no report can claim a session of the event on its coverage board.


@dataclass(frozen=True)
class DraftSectionData:
    author: str
    heading: str
    body: str
    state: SectionStatus
    editor_comment: str = ""
    # Days from the day the demo is loaded to this section's own due date (negative: late).
    due_in_days: int | None = None


IN_PROGRESS_REPORT = {
    "slug": "kubecon-learnings-at-home",
    "title": "KubeCon で学んだことを社内に持ち帰る: 参加メンバーの振り返り",
    "lead": """\
KubeCon + CloudNativeCon North America 2022 から戻った参加メンバーが、現地で得た学びを自分たちの運用にどう生かすかをまとめます。各メンバーが一節ずつ担当し、編集者のレビューを経て公開する予定です。
""",
    "closing": "",
    # Due soon, counted from the day the demo is loaded, so the admin home shows deadlines.
    "due_in_days": 2,
}

IN_PROGRESS_SECTIONS: tuple[DraftSectionData, ...] = (
    DraftSectionData(
        author="sato",
        heading="サイドカーの再起動をどう減らすか",
        state=SectionStatus.DRAFT,
        due_in_days=-1,
        body="""\
Istio のアップグレードのたびに全サービスを再起動している現状を見直したいと考えています。まずは再起動が必要になるワークロードの一覧を作り、影響の大きいものから順に対策を検討します。

（ここから先は書きかけです）
""",
    ),
    DraftSectionData(
        author="suzuki",
        heading="ポリシーで守るインフラのコード化",
        state=SectionStatus.CHANGES_REQUESTED,
        editor_comment="Kyverno のポリシー例を一つ載せると、読者がイメージしやすくなると思います。短いもので構いません。",
        body="""\
インフラの定義を YAML のマニフェストに寄せていくと、レビューの観点をポリシーとして書き下せるようになります。開発環境で使ってよいインスタンスタイプを絞るといった決まりごとを、人の目ではなく仕組みで確かめられるのが魅力です。
""",
    ),
    DraftSectionData(
        author="takahashi",
        heading="機能提案の前に確かめること",
        state=SectionStatus.IN_REVIEW,
        body="""\
社内のプラットフォームに新しい機能を足したくなったとき、KubeCon で聞いた問いかけが役に立ちます。

- その課題は多くの人に共通するものか、一部のチームだけのものか
- セキュリティや性能への影響はないか
- 既存の利用者を壊す変更になっていないか
- 過去に同じ議論がなかったか

提案のテンプレートにこの4点を加えることを検討しています。
""",
    ),
    DraftSectionData(
        author="tanaka",
        heading="ランタイムの脅威検知を小さく始める",
        state=SectionStatus.APPROVED,
        body="""\
静的なチェックはすでに回しているので、次はコンテナの実行時に起きることを見張る仕組みを入れたいと考えています。まずは検証用のクラスタで Falco を動かし、どのくらいのイベントが出るのか、ノイズになるルールはどれかを確かめるところから始めます。
""",
    ),
)
