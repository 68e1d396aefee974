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
     'rows drawn in the period still in progress / 当前仍在检查中的户次')
) AS t(indicator, indicator_zh, domain, kind, unit, method, numerator, denominator, definition)
-- 不动产登记 (realestate): by completion date.
UNION ALL
SELECT * FROM (VALUES
    ('realestate_completed',             '不动产登记办结件数',         'realestate', 'realestate', '件',     'sum',    NULL, NULL,
     'cases completed in the period / 办结日期在期内的不动产登记件数'),
    ('realestate_fee_waived_wan',        '免收不动产登记费',           'realestate', 'realestate', '万元',   'sum_2dp', NULL, NULL,
     'registration fees waived of the cases completed in the period, in 万元, rounded half up to 2 decimals from the exact sum / 期内办结件免收登记费合计（万元），四舍五入保留2位小数'),
    ('realestate_median_working_days',   '不动产登记办理用时中位数',   'realestate', 'realestate', '工作日', 'median', NULL, NULL,
     'median working days of the cases completed in the period (the lower middle value for an even count); working days follow the State Council calendar with its make-up days (marts.calendar) / 期内办结件办理用时（工作日）中位数，偶数件取较小的中间值'),
    ('realestate_within_2_working_days', '2个工作日内办结件数',        'realestate', 'realestate', '件',     'sum',    NULL, NULL,
     'cases completed in the period that took at most 2 working days / 期内办结且用时不超过2个工作日的件数')
) AS t(indicator, indicator_zh, domain, kind, unit, method, numerator, denominator, definition);

COMMENT ON TABLE marts.indicator_definitions IS '指标定义 / definitions of the indicators in marts.indicators';
COMMENT ON COLUMN marts.indicator_definitions.indicator IS '指标代码 / indicator code';
COMMENT ON COLUMN marts.indicator_definitions.indicator_zh IS '指标名称 / indicator name in Chinese';
COMMENT ON COLUMN marts.indicator_definitions.domain IS '领域：tax, permit, court, inspection, realestate / domain';
COMMENT ON COLUMN marts.indicator_definitions.kind IS '数据来源导出（其缺报月份见 marts.coverage） / the export it is computed from, whose gaps are in marts.coverage';
COMMENT ON COLUMN marts.indicator_definitions.unit IS '单位 / unit';
COMMENT ON COLUMN marts.indicator_definitions.method IS '计算方法：sum 累计, sum_2dp 累计后四舍五入保留2位小数, distinct 去重计数, ratio 比值, median 中位数（偶数个取较小的中间值） / how it is computed';
COMMENT ON COLUMN marts.indicator_definitions.numerator IS '比值的分子指标 / numerator indicator of a ratio';
COMMENT ON COLUMN marts.indicator_definitions.denominator IS '比值的分母指标 / denominator indicator of a ratio';
COMMENT ON COLUMN marts.indicator_definitions.definition IS '口径说明 / definition';
