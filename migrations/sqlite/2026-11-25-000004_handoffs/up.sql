-- The regulator directory, platform operators' domiciles, and handoffs of cases (SQLite).
CREATE TABLE regulators (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region_code TEXT,
    email TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX regulators_region ON regulators (region_code, kind);

-- Where each platform's operator is registered: the bureau there may act on its sellers too.
CREATE TABLE platform_domiciles (
    platform TEXT PRIMARY KEY NOT NULL,
    operator_name TEXT NOT NULL,
    region_code TEXT NOT NULL
);
INSERT INTO platform_domiciles (platform, operator_name, region_code) VALUES
    ('taobao', '淘宝（中国）软件有限公司', '330110'),
    ('tmall', '浙江天猫网络有限公司', '330110'),
    ('xianyu', '淘宝（中国）软件有限公司', '330110'),
    ('pinduoduo', '上海寻梦信息技术有限公司', '310105'),
    ('jd', '北京京东叁佰陆拾度电子商务有限公司', '110115'),
    ('meituan', '北京三快在线科技有限公司', '110105'),
    ('dianping', '上海汉涛信息咨询有限公司', '310105'),
    ('xiaohongshu', '行吟信息科技（上海）有限公司', '310101'),
    ('douyin', '北京字节跳动科技有限公司', '110108'),
    ('kuaishou', '北京快手科技有限公司', '110108');

CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    regulator_id BIGINT NOT NULL REFERENCES regulators (id),
    seq INTEGER NOT NULL,
    folder TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    package_size BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    outbox_id BIGINT,
    acknowledged_at TIMESTAMP,
    outcome TEXT,
    outcome_details TEXT,
    outcome_at TIMESTAMP,
    reminder_sent_at TIMESTAMP,
    UNIQUE (case_id, seq)
);
CREATE INDEX handoffs_waiting ON handoffs (acknowledged_at, reminder_sent_at, created_at);

ALTER TABLE outbox ADD COLUMN attachment_sha256 TEXT;
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
