"""marts.calendar: its shape, beside calendar.sql (see assets.models)."""

from assets.declaration import Column, Mart

MART = Mart(
    name="calendar",
    zh="工作日历（国务院法定节假日及调休上班日）",
    en="working-day calendar of the State Council: statutory holidays and make-up working days",
    grain=("day",),
    columns=(
        Column("day", "日期", "date"),
        Column("is_working_day", "是否工作日（含调休上班的周末）",
               "whether it is a working day (make-up weekend days included)"),
        # The day types calendar.sql classifies days into (no export has them).
        Column("day_type", "日期类型", "day type", values={
            "working_day": "工作日", "weekend": "周末", "holiday": "法定节假日（工作日放假）",
            "makeup_working_day": "调休上班",
        }),
        Column("holiday", "所属节日（放假或调休），英文名",
               "the holiday the day belongs to (day off or make-up day), in English"),
        Column("working_day_number", "自日历首日起第几个工作日（两日期相减即其间工作日数）",
               "working days from the calendar's first day to this day; the difference of two days' numbers "
               "is the working days after the first up to the second", unit="工作日"),
        Column("source", "日历来源（软件包、版本、年份范围）",
               "where the calendar comes from: package, version and years"),
    ),
)
