"""Page numbers for every list: ``?page=N`` in, ``limit``/``offset`` out."""

from math import ceil

from flask import abort, current_app, request, url_for

MAX_PAGE = 100_000
"""Beyond this no list has pages: a 404, never an offset the database cannot hold."""


class Pagination:
    def __init__(self, number, size):
        self.number = number
        self.size = size
        self.total = 0

    @classmethod
    def from_request(cls):
        try:
            number = max(1, int(request.args.get("page", 1)))
        except ValueError:
            number = 1
        if number > MAX_PAGE:
            abort(404)
        return cls(number, current_app.config["PAGE_SIZE"])

    @property
    def limit(self):
        return self.size

    @property
    def offset(self):
        return (self.number - 1) * self.size

    @property
    def page_count(self):
        return max(1, ceil(self.total / self.size))

    def page_numbers(self):
        """All numbers when few; otherwise the ends and a window around this page (None = gap)."""
        count = self.page_count
        shown = {1, count} | set(range(self.number - 2, self.number + 3))
        numbers = sorted(n for n in shown if 1 <= n <= count)
        with_gaps = []
        for n in numbers:
            if with_gaps and n - with_gaps[-1] > 1:
                with_gaps.append(None)
            with_gaps.append(n)
        return with_gaps

    def url_for_page(self, number):
        arguments = {**request.view_args, **request.args.to_dict(), "page": number}
        return url_for(request.endpoint, **arguments)

    def apply(self, article_list):
        """Remember the total of a service's ``{articles, articles_count}`` answer."""
        self.total = article_list["articles_count"]
        return article_list["articles"]
