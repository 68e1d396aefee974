-- 指标定义 / Definitions of the indicators in marts.indicators.
-- One row per indicator: its domain, the export it is computed from (whose gaps
-- make it incomplete), unit, how it is computed and, for a ratio, its numerator
-- and denominator. marts.indicators is computed from this table.
SELECT * FROM (VALUES
    ('tax_relief_wan',            '税收收入减免金额',       'tax',       'tax_relief',   '万元', 'sum',      NULL, NULL,
     'relief of revenue_class tax with relief_date in the period, in 万元 / 减免日期在期内的税收收入减免金额'),
    ('non_tax_relief_wan',        '非税收入减免金额',       'tax',       'tax_relief',   '万元', 'sum',      NULL, NULL,
     'relief of revenue_class non_tax with relief_date in the period, in 万元 / 减免日期在期内的非税收入减免金额'),
    ('permit_cases',              '证照分离改革办件数',     'permit',    'permit_reform', '件',   'sum',      NULL, NULL,
     'completions in the period, all reform modes / 期内各改革方式办结件数合计'),
    ('permit_cancelled',          '直接取消审批办件数',     'permit',    'permit_reform', '件',   'sum',      NULL, NULL,
     'completions in the period where approval was cancelled / 期内直接取消审批办结件数'),
    ('permit_filing',             '审批改为备案办件数',     'permit',    'permit_reform', '件',   'sum',      NULL, NULL,
     'completions in the period where approval became filing / 期内审批改为备案办结件数'),
    ('permit_commitment',         '实行告知承诺办件数',     'permit',    'permit_reform', '件',   'sum',      NULL, NULL,
     'completions in the period under notification and commitment / 期内实行告知承诺办结件数'),
    ('permit_optimized',          '优化审批服务办件数',     'permit',    'permit_reform', '件',   'sum',      NULL, NULL,
     'completions in the period with optimised approval service / 期内优化审批服务办结件数'),
    ('court_received',            '收案数',                 'court',     'court_cases',   '件',   'sum',      NULL, NULL,
     'cases filed in the period / 立案日期在期内的案件数'),
    ('court_closed',              '结案数',                 'court',     'court_cases',   '件',   'sum',      NULL, NULL,
     'cases closed in the period, whenever filed / 结案日期在期内的案件数（不论何时立案）'),
    ('court_clearance_ratio',     '结收案比',               'court',     'court_cases',   'ratio', 'ratio',   'court_closed', 'court_received',
     'court_closed / court_received, rounded half up to 4 decimals / 结案数÷收案数，四舍五入保留4位小数'),
    ('court_ent_received',        '涉企收案数',             'court',     'court_cases',   '件',   'sum',      NULL, NULL,
     'enterprise-related cases filed in the period / 期内立案的涉企案件数'),
    ('court_ent_closed',          '涉企结案数',             'court',     'court_cases',   '件',   'sum',      NULL, NULL,
     'enterprise-related cases closed in the period / 期内结案的涉企案件数'),
    ('court_ent_clearance_ratio', '涉企结收案比',           'court',     'court_cases',   'ratio', 'ratio',   'court_ent_closed', 'court_ent_received',
     'court_ent_closed / court_ent_received, rounded half up to 4 decimals / 涉企结案数÷涉企收案数'),
    ('inspection_tasks',          '双随机抽查任务数',       'inspection', 'inspections',   '项',   'distinct', NULL, NULL,
     'distinct tasks with an entity drawn in the period / 期内抽取的抽查任务数（去重）'),
    ('inspection_entities',       '双随机抽查户数',         'inspection', 'inspections',   '户',   'sum',      NULL, NULL,
     '(task, entity) rows drawn in the period, in-progress ones included / 期内抽取的检查对象户次'),
    ('inspection_no_issue',       '未发现问题户数',         'inspection', 'inspections',   '户',   'sum',      NULL, NULL,
     'rows drawn in the period whose current result is no_issue / 当前结果为未发现问题的户次'),
    ('inspection_corrected',      '发现问题已责令改正户数', 'inspection', 'inspections',   '户',   'sum',      NULL, NULL,
     'rows drawn in the period whose current result is corrected / 当前结果为已责令改正的户次'),
    ('inspection_follow_up',      '发现问题待后续处理户数', 'inspection', 'inspections',   '户',   'sum',      NULL, NULL,
     'rows drawn in the period whose current result is follow_up / 当前结果为待后续处理的户次'),
    ('inspection_in_progress',    '检查中户数',             'inspection', 'inspections',   '户',   'sum',      NULL, NULL,
     'rows drawn in the period still in progress / 当前仍在检查中的户次'),
    -- 行政许可事项梳理 (item_review): an item counts in the period of its latest review date.
    ('review_items',              '梳理事项数',             'review',    'item_review',   '项',   'sum',      NULL, NULL,
     'items whose latest review date is in the period / 最近一次梳理日期在期内的事项数'),
    ('review_materials_before',   '梳理前申请材料数',       'review',    'item_review',   '件',   'sum',      NULL, NULL,
     'application documents of those items before the review / 期内梳理事项的原申请材料数合计'),
    ('review_materials_after',    '梳理后申请材料数',       'review',    'item_review',   '件',   'sum',      NULL, NULL,
     'application documents of those items after the review / 期内梳理事项的现申请材料数合计'),
    ('review_legal_days',         '法定办结时限合计',       'review',    'item_review',   '工作日', 'sum',    NULL, NULL,
     'statutory time limits of those items, summed / 期内梳理事项的法定办结时限合计'),
    ('review_promised_days',      '承诺办结时限合计',       'review',    'item_review',   '工作日', 'sum',    NULL, NULL,
     'promised time limits of those items, summed / 期内梳理事项的承诺办结时限合计'),
    ('review_immediate_items',    '即办件事项数',           'review',    'item_review',   '项',   'sum',      NULL, NULL,
     'immediate items among those items / 期内梳理事项中的即办件数'),
    ('review_materials_cut_pct',  '精简申请材料比例',       'review',    'item_review',   '%',    'cut_pct',  'review_materials_after', 'review_materials_before',
     '(1 - materials after / materials before) x 100 from the exact sums, rounded half up to 1 decimal / (1-梳理后材料数÷梳理前材料数)×100，四舍五入保留1位小数'),
    ('review_time_cut_pct',       '压缩审批时限比例',       'review',    'item_review',   '%',    'cut_pct',  'review_promised_days', 'review_legal_days',
     '(1 - promised days / statutory days) x 100 from the exact sums, rounded half up to 1 decimal / (1-承诺时限合计÷法定时限合计)×100，四舍五入保留1位小数'),
    ('review_immediate_pct',      '即办件占比',             'review',    'item_review',   '%',    'pct',      'review_immediate_items', 'review_items',
     'immediate items / items x 100, rounded half up to 1 decimal / 即办件数÷事项数×100，四舍五入保留1位小数'),
    -- 投资项目审批（核准、备案）办结 (investment_projects): by decision date.
    ('invest_projects',           '投资项目办结数',         'invest',    'investment_projects', '个', 'sum',    NULL, NULL,
     'projects decided in the period / 办结日期在期内的投资项目数'),
    ('invest_total_yi',           '办结项目总投资',         'invest',    'investment_projects', '亿元', 'sum_2dp', NULL, NULL,
     'total investment of those projects in 亿元 (yuan / 10^8), rounded half up to 2 decimals from the exact sum / 期内办结项目总投资（亿元），由精确合计四舍五入保留2位小数'),
    ('invest_key_projects',       '重点项目办结数',         'invest',    'investment_projects', '个', 'sum',    NULL, NULL,
     'key projects decided in the period / 期内办结的重点项目数'),
    ('invest_tolerance_projects', '容缺受理＋告知承诺项目数', 'invest',  'investment_projects', '个', 'sum',    NULL, NULL,
     'projects decided in the period accepted under 容缺受理＋告知承诺 / 期内办结的容缺受理＋告知承诺项目数'),
    ('invest_agency_sponsors',    '全程代办项目单位数',     'invest',    'investment_projects', '个', 'distinct', NULL, NULL,
     'distinct sponsors (项目单位 after NFKC and trimming) with at least one project handled by agents throughout decided in the period / 期内有全程代办项目办结的项目单位数（去重）')
) AS t(indicator, indicator_zh, domain, kind, unit, method, numerator, denominator, definition);

COMMENT ON TABLE marts.indicator_definitions IS '指标定义 / definitions of the indicators in marts.indicators';
COMMENT ON COLUMN marts.indicator_definitions.indicator IS '指标代码 / indicator code';
COMMENT ON COLUMN marts.indicator_definitions.indicator_zh IS '指标名称 / indicator name in Chinese';
COMMENT ON COLUMN marts.indicator_definitions.domain IS '领域：tax, permit, court, inspection, review, invest / domain';
COMMENT ON COLUMN marts.indicator_definitions.kind IS '数据来源导出（其缺报月份见 marts.coverage） / the export it is computed from, whose gaps are in marts.coverage';
COMMENT ON COLUMN marts.indicator_definitions.unit IS '单位 / unit';
COMMENT ON COLUMN marts.indicator_definitions.method IS '计算方法：sum 累计, sum_2dp 累计后四舍五入保留2位小数, distinct 去重计数, ratio 比值（4位小数）, pct 百分比（分子÷分母×100，1位小数）, cut_pct 压缩比例（(1-分子÷分母)×100，1位小数） / how it is computed';
COMMENT ON COLUMN marts.indicator_definitions.numerator IS '比值或百分比的分子指标 / numerator indicator of a ratio or percentage';
COMMENT ON COLUMN marts.indicator_definitions.denominator IS '比值或百分比的分母指标 / denominator indicator of a ratio or percentage';
COMMENT ON COLUMN marts.indicator_definitions.definition IS '口径说明 / definition';
